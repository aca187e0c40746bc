// A load generator for the chat server of chapter 16 (or any server of its protocol): N clients
// in rooms of K (load-0, load-1, ...), each sending R lines a second (R = 0: flat out) until it
// has sent M, then a drain until no new line comes for D ms. Every payload line carries its
// sender, a sequence number and the time it was sent, so each receiver counts what reached it
// and how late. It prints messages sent, deliveries expected (each message to the K-1 others of
// its room), delivered, lost (expected - delivered), delivered per second, p50 and p99 delivery
// latency, and for a server it started itself (--server PATH [args...]) the server's memory, CPU
// time and how it exited on SIGINT. A line `result ...` per load is for scripts/bench-chat.
//
// Loads: a = 100 clients, rooms of 10, 100 msg/s each; b = 1,000 clients, rooms of 20, 20 msg/s;
// c = 100 clients, rooms of 10, flat out with each sender at most 8 lines ahead of what its room
// received (the most the server delivers); d = the same with no bound (an overload: a server
// that drops lines for slow readers drops most of them). Lines sent before every client is in
// its room could miss members, so nothing is sent until each member has heard a probe line in
// its room (see wait_until_joined). "The server reported N missed" adds up the server's own
// "you missed N" notices; a server may count in them lines it would not have sent that client
// (its own), so `lost` is the figure to read.
//
// The clients are one thread of plain epoll. It reports its own CPU time over the measured
// window: well under the window's length (it stays under 40 % of one core in these loads) means
// the generator was not the bottleneck; past 80 % it says so.
//
// Usage: wb_bench_chat_load [--load a|b|c|d|all] (--server PATH [ARGS...] | --host H --port P)
//          [--clients N] [--room-size K] [--rate R] [--messages M] [--window W] [--scale F]
//          [--drain-ms D] [--settle-ms S]
// Build it in Release (-O2, no sanitizers); a number from a Debug build means nothing.
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
Clock::time_point const epoch = Clock::now();

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - epoch).count();
}

// --- What to run ---

struct Load {
  char name = '?';
  int clients = 0;
  int room_size = 0;
  int rate = 0;  // lines per second per client; 0: as fast as the server takes them
  int messages = 0;
  int window = 0;  // flat out: lines a sender may have that no one has received yet (0: no bound)
};

Load const default_loads[] = {
    {'a', 100, 10, 100, 200, 0},  // 2 s at 100/s
    {'b', 1000, 20, 20, 40, 0},   // 2 s at 20/s
    // Flat out, each sender at most 8 lines ahead of what its room has received: the most the
    // server delivers, with 80 lines in flight per room (under the reference's 100 per room).
    {'c', 100, 10, 0, 2000, 8},
    // Flat out with no bound: as fast as the server reads, an overload that a lossy server
    // answers by dropping lines (what it delivers, and how many it drops).
    {'d', 100, 10, 0, 20000, 0},
};

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::vector<std::string> server;  // PATH and its own arguments
  std::string loads = "all";
  int clients = -1, room_size = -1, rate = -1, messages = -1, window = -1;
  double scale = 1;
  int drain_ms = 1000;
  int settle_ms = 200;
  int join_timeout_ms = 20000;
};

[[noreturn]] void usage(char const* why) {
  std::fprintf(stderr,
               "wb_bench_chat_load: %s\n"
               "usage: wb_bench_chat_load [--load a|b|c|d|all] (--server PATH [ARGS...] | "
               "--host H --port P)\n"
               "         [--clients N] [--room-size K] [--rate R] [--messages M] [--window W]\n"
               "         [--scale F] [--drain-ms D]\n"
               "  loads: a = 100 clients, rooms of 10, 100 msg/s each\n"
               "         b = 1000 clients, rooms of 20, 20 msg/s each\n"
               "         c = 100 clients, rooms of 10, flat out, each at most 8 lines ahead\n"
               "         d = 100 clients, rooms of 10, flat out with no bound (an overload)\n"
               "  --server goes last (the rest are its arguments); it is run with --port 0\n"
               "  --rate-limit 0 --history 0 added.\n",
               why);
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (flag == "--server") {
      if (i + 1 >= argc) usage("--server needs a program");
      for (++i; i < argc; ++i) o.server.emplace_back(argv[i]);
      break;
    }
    if (i + 1 >= argc) usage("an option without its value");
    char const* value = argv[++i];
    if (flag == "--host")
      o.host = value;
    else if (flag == "--port")
      o.port = std::atoi(value);
    else if (flag == "--load")
      o.loads = value;
    else if (flag == "--clients")
      o.clients = std::atoi(value);
    else if (flag == "--room-size")
      o.room_size = std::atoi(value);
    else if (flag == "--rate")
      o.rate = std::atoi(value);
    else if (flag == "--messages")
      o.messages = std::atoi(value);
    else if (flag == "--scale")
      o.scale = std::atof(value);
    else if (flag == "--window")
      o.window = std::atoi(value);
    else if (flag == "--settle-ms")
      o.settle_ms = std::atoi(value);
    else if (flag == "--drain-ms")
      o.drain_ms = std::atoi(value);
    else if (flag == "--join-timeout-ms")
      o.join_timeout_ms = std::atoi(value);
    else
      usage(("unknown option " + std::string(flag)).c_str());
  }
  if (o.server.empty() && o.port == 0) usage("give --server PATH or --port P");
  if (o.loads != "all" && (o.loads.size() != 1 || o.loads[0] < 'a' || o.loads[0] > 'd')) {
    usage("--load is a, b, c, d or all");
  }
  return o;
}

// --- File descriptors ---

// Raises the soft limit to the hard one when `wanted` descriptors are needed. Says what to do
// when even the hard limit is too low, and returns false then.
bool enough_descriptors(rlim_t wanted, int clients, bool with_server) {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur >= wanted) return true;
  rlim_t const before = limit.rlim_cur;
  limit.rlim_cur = std::min(wanted, limit.rlim_max);
  if (limit.rlim_max == RLIM_INFINITY) limit.rlim_cur = wanted;
  ::setrlimit(RLIMIT_NOFILE, &limit);
  ::getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur >= wanted) {
    std::printf("  (open files: soft limit raised from %lu to %lu)\n",
                static_cast<unsigned long>(before), static_cast<unsigned long>(limit.rlim_cur));
    return true;
  }
  std::printf(
      "  SKIPPED: %d clients need about %lu open files%s, but `ulimit -n` is %lu and the hard "
      "limit (`ulimit -Hn`) is %lu.\n"
      "  Raise the hard limit (as root: `ulimit -Hn 65536` in the shell that runs this, or "
      "LimitNOFILE / limits.conf) or run fewer clients (--clients).\n",
      clients, static_cast<unsigned long>(wanted),
      with_server ? " (its client sockets and the server's, one process tree)" : "",
      static_cast<unsigned long>(limit.rlim_cur), static_cast<unsigned long>(limit.rlim_max));
  return false;
}

// --- A server this program starts, watches and stops ---

struct ServerSample {
  long hwm_kib = -1;
  long rss_kib = -1;
  double cpu_seconds = -1;
};

class ServerProcess {
 public:
  explicit ServerProcess(std::vector<std::string> const& command) {
    std::vector<std::string> args = command;
    for (char const* extra : {"--port", "0", "--rate-limit", "0", "--history", "0"}) {
      args.emplace_back(extra);
    }
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork");
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execvp(argv[0], argv.data());
      std::fprintf(stderr, "wb_bench_chat_load: cannot run %s: %s\n", argv[0],
                   std::strerror(errno));
      ::_exit(127);
    }
    ::close(out[1]);
    fd_ = out[0];
    std::string first = first_line();
    std::string_view const prefix = "listening on ";
    auto colon = first.rfind(':');
    if (first.compare(0, prefix.size(), prefix) != 0 || colon == std::string::npos) {
      std::string how = stop();
      throw std::runtime_error("the server's first line was \"" + first +
                               "\", not \"listening on HOST:PORT\" (it " + how + ")");
    }
    host_ = first.substr(prefix.size(), colon - prefix.size());
    port_ = std::atoi(first.c_str() + colon + 1);
    // The server may print more: read it so that it never blocks on a full pipe.
    drain_ = std::thread([fd = fd_] {
      char buffer[4096];
      while (::read(fd, buffer, sizeof buffer) > 0) {
      }
    });
  }
  ServerProcess(ServerProcess const&) = delete;
  ServerProcess& operator=(ServerProcess const&) = delete;
  ~ServerProcess() {
    if (pid_ > 0) stop();
  }

  std::string const& host() const { return host_; }
  int port() const { return port_; }

  ServerSample sample() const {
    ServerSample s;
    std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("VmHWM:", 0) == 0) s.hwm_kib = std::atol(line.c_str() + 6);
      if (line.rfind("VmRSS:", 0) == 0) s.rss_kib = std::atol(line.c_str() + 6);
    }
    std::ifstream stat("/proc/" + std::to_string(pid_) + "/stat");
    std::string all((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    auto paren = all.rfind(')');
    if (paren != std::string::npos) {
      // After "pid (name)": state is field 3, utime 14, stime 15.
      std::vector<std::string> fields;
      std::size_t at = paren + 2;
      while (at < all.size() && fields.size() < 13) {
        auto space = all.find(' ', at);
        fields.push_back(all.substr(at, space - at));
        if (space == std::string::npos) break;
        at = space + 1;
      }
      if (fields.size() >= 13) {
        double const ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
        s.cpu_seconds = (std::atof(fields[11].c_str()) + std::atof(fields[12].c_str())) / ticks;
      }
    }
    return s;
  }

  // SIGINT, then up to 5 s for it to exit; says how it did.
  std::string stop() {
    if (pid_ <= 0) return "was not running";
    ::kill(pid_, SIGINT);
    auto const start = Clock::now();
    int status = 0;
    std::string how;
    for (;;) {
      pid_t done = ::waitpid(pid_, &status, WNOHANG);
      double const ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      char when[64];
      std::snprintf(when, sizeof when, " %.0f ms after SIGINT", ms);
      if (done == pid_) {
        if (WIFEXITED(status)) {
          how = "exited with status " + std::to_string(WEXITSTATUS(status)) + when;
        } else {
          how = std::string("was killed by signal ") + std::to_string(WTERMSIG(status)) + " (" +
                ::strsignal(WTERMSIG(status)) + ")" + when;
        }
        break;
      }
      if (ms > 5000) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        how = "did not stop within 5 s of SIGINT and was killed (SIGKILL)";
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    pid_ = -1;
    if (drain_.joinable()) drain_.join();
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    return how;
  }

 private:
  std::string first_line() {
    std::string line;
    auto const deadline = Clock::now() + std::chrono::seconds(10);
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
        return line + "(nothing more within 10 s)";
      }
      char c;
      // One byte at a time: what follows the first line belongs to the drain thread.
      if (::read(fd_, &c, 1) != 1) return line + "(end of output)";
      if (c == '\n') return line;
      line += c;
    }
  }

  pid_t pid_ = -1;
  int fd_ = -1;
  std::string host_;
  int port_ = 0;
  std::thread drain_;
};

// --- The clients ---

struct Client {
  int fd = -1;
  int room = 0;
  int member = 0;  // index in its room
  std::string in;
  std::string out;
  std::size_t out_at = 0;
  bool watching_out = false;
  int sent = 0;
  int through = -1;             // the highest sequence number any room member received
  std::int64_t through_ns = 0;  // when `through` last moved (or was given up on)
  bool probed = false;
  std::vector<int> last_seq;  // per member of its room: the highest sequence number seen
};

struct Result {
  long sent = 0;
  long expected = 0;
  long delivered = 0;
  long repeated = 0;  // a sequence number at or below one already seen from that sender
  long stray = 0;     // a payload from outside the receiver's room, or its own
  long server_missed = 0;
  long noise = 0;
  double window_s = 0;  // first send to last delivery
  double send_s = 0;    // first send to last send
  double p50_us = 0, p99_us = 0, max_us = 0;
  double generator_cpu_s = 0;
  std::vector<long> per_second;
};

double cpu_seconds_self() {
  rusage r{};
  ::getrusage(RUSAGE_SELF, &r);
  return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
         static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

class Generator {
 public:
  Generator(Load const& load, Options const& options)
      : load_(load), options_(options), clients_(static_cast<std::size_t>(load.clients)) {
    rooms_ = (load.clients + load.room_size - 1) / load.room_size;
    room_sizes_.assign(static_cast<std::size_t>(rooms_), 0);
    for (int i = 0; i < load.clients; ++i) {
      auto& c = clients_[static_cast<std::size_t>(i)];
      c.room = i / load.room_size;
      c.member = room_sizes_[static_cast<std::size_t>(c.room)]++;
    }
    for (auto& c : clients_) {
      c.last_seq.assign(static_cast<std::size_t>(room_sizes_[static_cast<std::size_t>(c.room)]),
                        -1);
    }
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
  }
  ~Generator() {
    for (auto& c : clients_) {
      if (c.fd >= 0) ::close(c.fd);
    }
    ::close(epoll_);
  }

  void connect_all(std::string const& host, int port) {
    addrinfo hints{};
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) {
      throw std::runtime_error("cannot resolve " + host);
    }
    for (std::size_t i = 0; i < clients_.size(); ++i) {
      auto& c = clients_[i];
      c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (c.fd < 0 || ::connect(c.fd, found->ai_addr, found->ai_addrlen) != 0) {
        int const error = errno;
        ::freeaddrinfo(found);
        std::string why = "client " + std::to_string(i) + " of " + std::to_string(clients_.size()) +
                          " could not connect: " + std::strerror(error);
        if (error == EMFILE || error == ENFILE) {
          why += " (out of file descriptors: raise `ulimit -n`)";
        }
        throw std::runtime_error(why);
      }
      int on = 1;
      ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
      std::string join = "/join load-" + std::to_string(c.room) + "\n";
      if (::send(c.fd, join.data(), join.size(), MSG_NOSIGNAL) !=
          static_cast<ssize_t>(join.size())) {
        throw std::runtime_error("could not send /join");
      }
      ::fcntl(c.fd, F_SETFL, ::fcntl(c.fd, F_GETFL) | O_NONBLOCK);
      epoll_event event{};
      event.events = EPOLLIN;
      event.data.u32 = static_cast<std::uint32_t>(i);
      ::epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &event);
    }
    ::freeaddrinfo(found);
  }

  // Every client has sent /join, but the server may not have moved them all yet: a message sent
  // now could miss a room member still in #general. The first member of each room says a probe
  // line every 100 ms until each other member has heard one. A member that hears it is in the
  // room (the server relays only within a room), and the first member is too (the server reads
  // one connection's lines in order, so its probe came after its /join). Probes are not payload.
  void wait_until_joined() {
    int waiting = 0;
    for (auto& c : clients_) {
      if (c.member != 0) ++waiting;
    }
    auto const deadline = Clock::now() + std::chrono::milliseconds(options_.join_timeout_ms);
    auto next_probe = Clock::now();
    waiting_ = waiting;
    while (waiting_ > 0) {
      auto now = Clock::now();
      if (now > deadline) {
        throw std::runtime_error(std::to_string(waiting_) + " of " + std::to_string(waiting) +
                                 " clients had not heard from their room " +
                                 std::to_string(options_.join_timeout_ms) +
                                 " ms after /join (is the server relaying lines in rooms?)");
      }
      if (now >= next_probe) {
        std::vector<bool> done(static_cast<std::size_t>(rooms_), true);
        for (auto& c : clients_) {
          if (c.member != 0 && !c.probed) done[static_cast<std::size_t>(c.room)] = false;
        }
        for (auto& c : clients_) {
          if (c.member == 0 && !done[static_cast<std::size_t>(c.room)]) {
            queue(c, "~probe " + std::to_string(c.room) + "\n");
          }
        }
        next_probe = now + std::chrono::milliseconds(100);
      }
      poll_once(10);
    }
    // Everyone is in place; the server may still be writing the join and leave notices of
    // #general (N clients passed through it): let those drain before the clock starts.
    auto const settled = Clock::now() + std::chrono::milliseconds(options_.settle_ms);
    while (Clock::now() < settled) poll_once(10);
  }

  Result run() {
    result_ = Result{};
    std::int64_t const total = static_cast<std::int64_t>(load_.clients) * load_.messages;
    result_.sent = 0;
    for (auto const& c : clients_) {
      result_.expected +=
          static_cast<long>(load_.messages) * (room_sizes_[static_cast<std::size_t>(c.room)] - 1);
    }
    latencies_.clear();
    latencies_.reserve(static_cast<std::size_t>(std::min(result_.expected, 4'000'000L)));
    measuring_ = true;
    double const cpu_before = cpu_seconds_self();
    start_ns_ = now_ns();
    last_delivery_ns_ = start_ns_;
    std::int64_t last_send_ns = start_ns_;
    std::int64_t next = 0;  // rate mode: the next line of the global schedule
    double const interval_ns =
        load_.rate > 0 ? 1e9 / (static_cast<double>(load_.rate) * load_.clients) : 0;
    if (load_.rate == 0) {
      for (auto& c : clients_) {
        c.through_ns = start_ns_;
        watch_out(c, true);
      }
    }
    std::int64_t quiet_since = 0;
    for (;;) {
      std::int64_t const now = now_ns();
      int timeout_ms = 50;
      if (load_.rate > 0) {
        // Client next % N sends its (next / N)-th line at start + next * interval: the clients
        // take turns, evenly spread over each period.
        while (next < total &&
               start_ns_ + static_cast<std::int64_t>(static_cast<double>(next) * interval_ns) <=
                   now) {
          auto& c = clients_[static_cast<std::size_t>(next % load_.clients)];
          queue(c, payload(c));
          ++next;
        }
        if (next < total) {
          std::int64_t const due =
              start_ns_ + static_cast<std::int64_t>(static_cast<double>(next) * interval_ns);
          timeout_ms = static_cast<int>((due - now + 999'999) / 1'000'000);
        }
      }
      unstick_windows(now);
      if (result_.sent == total && all_written()) {
        if (last_send_ns == start_ns_) last_send_ns = now_ns();
        if (result_.delivered + result_.stray >= result_.expected) break;
        std::int64_t const since = std::max(last_delivery_ns_, last_send_ns);
        if (quiet_since == 0 || since > quiet_since) quiet_since = since;
        if (now - quiet_since > static_cast<std::int64_t>(options_.drain_ms) * 1'000'000) break;
      }
      poll_once(std::max(0, timeout_ms));
    }
    measuring_ = false;
    result_.generator_cpu_s = cpu_seconds_self() - cpu_before;
    result_.window_s = static_cast<double>(last_delivery_ns_ - start_ns_) / 1e9;
    result_.send_s = static_cast<double>(last_send_ns - start_ns_) / 1e9;
    std::sort(latencies_.begin(), latencies_.end());
    if (!latencies_.empty()) {
      result_.p50_us = latencies_[latencies_.size() / 2];
      result_.p99_us = latencies_[latencies_.size() * 99 / 100];
      result_.max_us = latencies_.back();
    }
    return result_;
  }

 private:
  std::string payload(Client& c) {
    // "~m <sender> <seq> <sent at, ns>" padded to 48 characters: a short chat line.
    char line[96];
    int n =
        std::snprintf(line, sizeof line, "~m %d %d %lld ", static_cast<int>(&c - clients_.data()),
                      c.sent, static_cast<long long>(now_ns()));
    std::string text(line, static_cast<std::size_t>(n));
    if (text.size() < 48) text.append(48 - text.size(), 'x');
    text += '\n';
    ++c.sent;
    ++result_.sent;
    return text;
  }

  void queue(Client& c, std::string const& line) {
    c.out += line;
    flush(c);
  }

  void flush(Client& c) {
    while (c.out_at < c.out.size()) {
      ssize_t n = ::send(c.fd, c.out.data() + c.out_at, c.out.size() - c.out_at, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n <= 0) throw std::runtime_error("the server closed a client's connection (send)");
      c.out_at += static_cast<std::size_t>(n);
    }
    if (c.out_at == c.out.size()) {
      c.out.clear();
      c.out_at = 0;
    }
    watch_out(c, c.out_at < c.out.size() || may_send(c));
  }

  // Flat out: whether a sender may add a line now (it has lines left, and is within its window).
  bool may_send(Client const& c) const {
    if (!measuring_ || load_.rate != 0 || c.sent >= load_.messages) return false;
    return load_.window == 0 || c.sent - c.through - 1 < load_.window;
  }

  // A windowed sender whose lines were all dropped would wait forever: after 200 ms without
  // progress its window counts them as gone (they are lost: the counts say so).
  void unstick_windows(std::int64_t now) {
    if (load_.rate != 0 || load_.window == 0) return;
    for (auto& c : clients_) {
      if (c.sent < load_.messages && !may_send(c) && now - c.through_ns > 200'000'000) {
        c.through = c.sent - 1;
        c.through_ns = now;
        watch_out(c, true);
      }
    }
  }

  void watch_out(Client& c, bool on) {
    if (c.watching_out == on) return;
    c.watching_out = on;
    epoll_event event{};
    event.events = EPOLLIN | (on ? EPOLLOUT : 0u);
    event.data.u32 = static_cast<std::uint32_t>(&c - clients_.data());
    ::epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &event);
  }

  bool all_written() const {
    for (auto const& c : clients_) {
      if (c.out_at < c.out.size()) return false;
    }
    return true;
  }

  void poll_once(int timeout_ms) {
    epoll_event events[256];
    int n = ::epoll_wait(epoll_, events, 256, timeout_ms);
    for (int e = 0; e < n; ++e) {
      auto& c = clients_[events[e].data.u32];
      if (events[e].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) read_from(c);
      if (events[e].events & EPOLLOUT) {
        if (c.out_at == c.out.size()) {
          // Flat out: a batch of lines each time the socket takes more.
          for (int k = 0; k < 16 && may_send(c); ++k) c.out += payload(c);
        }
        flush(c);
      }
    }
  }

  void read_from(Client& c) {
    char buffer[65536];
    for (int reads = 0; reads < 4; ++reads) {
      ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      if (n <= 0) throw std::runtime_error("the server closed a client's connection");
      std::int64_t const now = now_ns();
      c.in.append(buffer, static_cast<std::size_t>(n));
      std::size_t at = 0;
      for (;;) {
        auto end = c.in.find('\n', at);
        if (end == std::string::npos) break;
        line(c, std::string_view(c.in).substr(at, end - at), now);
        at = end + 1;
      }
      c.in.erase(0, at);
      if (static_cast<std::size_t>(n) < sizeof buffer) return;
    }
  }

  static long number(std::string_view text, std::size_t& at) {
    while (at < text.size() && text[at] == ' ') ++at;
    long value = -1;
    auto [end, error] = std::from_chars(text.data() + at, text.data() + text.size(), value);
    if (error != std::errc()) return -1;
    at = static_cast<std::size_t>(end - text.data());
    return value;
  }

  void line(Client& c, std::string_view text, std::int64_t now) {
    auto mark = text.find("~m ");
    if (mark != std::string_view::npos) {
      if (!measuring_) return;  // cannot happen: payload is sent only while measuring
      std::size_t at = mark + 3;
      long const sender = number(text, at);
      long const seq = number(text, at);
      long const sent_at = number(text, at);
      if (sender < 0 || sender >= static_cast<long>(clients_.size()) || seq < 0) {
        ++result_.noise;
        return;
      }
      auto const& from = clients_[static_cast<std::size_t>(sender)];
      if (from.room != c.room || &from == &c) {
        ++result_.stray;
        return;
      }
      int& last = c.last_seq[static_cast<std::size_t>(from.member)];
      if (seq <= last) {
        ++result_.repeated;
        return;
      }
      last = static_cast<int>(seq);
      ++result_.delivered;
      auto& sender_state = clients_[static_cast<std::size_t>(sender)];
      if (seq > sender_state.through) {
        sender_state.through = static_cast<int>(seq);
        sender_state.through_ns = now;
        if (!sender_state.watching_out && may_send(sender_state)) watch_out(sender_state, true);
      }
      last_delivery_ns_ = now;
      latencies_.push_back(static_cast<float>(now - sent_at) / 1000.0f);
      auto second = static_cast<std::size_t>((now - start_ns_) / 1'000'000'000);
      if (result_.per_second.size() <= second) result_.per_second.resize(second + 1, 0);
      ++result_.per_second[second];
      return;
    }
    auto probe = text.find("~probe ");
    if (probe != std::string_view::npos) {
      std::size_t at = probe + 7;
      if (!c.probed && number(text, at) == c.room) {
        c.probed = true;
        --waiting_;
      }
      return;
    }
    auto missed = text.find("missed ");
    if (missed != std::string_view::npos && measuring_) {
      std::size_t at = missed + 7;
      long const n = number(text, at);
      if (n > 0) result_.server_missed += n;
      return;
    }
    if (measuring_) ++result_.noise;
  }

  Load load_;
  Options const& options_;
  std::vector<Client> clients_;
  int rooms_ = 0;
  std::vector<int> room_sizes_;
  int epoll_ = -1;
  int waiting_ = 0;
  bool measuring_ = false;
  std::int64_t start_ns_ = 0;
  std::int64_t last_delivery_ns_ = 0;
  Result result_;
  std::vector<float> latencies_;
};

std::string kib(long k) {
  char text[32];
  if (k < 0) return "?";
  std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(k) / 1024.0);
  return text;
}

bool run_load(Load const& load, Options const& options) {
  std::string pace = load.rate > 0 ? std::to_string(load.rate) + " msg/s each" : "flat out";
  if (load.rate == 0 && load.window > 0) {
    pace += " (at most " + std::to_string(load.window) + " lines ahead of the room)";
  }
  std::printf("load %c: %d clients, rooms of %d, %s, %d messages each\n", load.name, load.clients,
              load.room_size, pace.c_str(), load.messages);
  bool const with_server = !options.server.empty();
  rlim_t const wanted = static_cast<rlim_t>(load.clients) * (with_server ? 2 : 1) + 64;
  if (!enough_descriptors(wanted, load.clients, with_server)) return false;
  std::fflush(stdout);

  std::unique_ptr<ServerProcess> server;
  std::string host = options.host;
  int port = options.port;
  std::string server_name = "external";
  try {
    if (with_server) {
      server = std::make_unique<ServerProcess>(options.server);
      host = server->host();
      port = server->port();
      server_name = options.server[0].substr(options.server[0].rfind('/') + 1);
    }
    ServerSample before;
    Result r;
    {
      Generator generator(load, options);
      generator.connect_all(host, port);
      generator.wait_until_joined();
      if (server) before = server->sample();
      r = generator.run();
      std::printf(
          "  sent %ld messages in %.2f s; expected %ld deliveries (each to the %d others "
          "in its room)\n",
          r.sent, r.send_s, r.expected, load.room_size - 1);
      long const lost = r.expected - r.delivered;
      std::printf("  delivered %ld, lost %ld (%.2f%%)", r.delivered, lost,
                  r.expected > 0
                      ? 100.0 * static_cast<double>(lost) / static_cast<double>(r.expected)
                      : 0.0);
      std::printf("; the server reported %ld missed", r.server_missed);
      if (r.repeated > 0 || r.stray > 0) {
        std::printf("; %ld repeated or out of order, %ld outside the room", r.repeated, r.stray);
      }
      std::printf("\n");
      double const per_second =
          r.window_s > 0 ? static_cast<double>(r.delivered) / r.window_s : 0.0;
      long peak = 0;
      for (long s : r.per_second) peak = std::max(peak, s);
      std::printf(
          "  delivered/s %.0f (over %.2f s from the first send to the last delivery; "
          "busiest second %ld)\n",
          per_second, r.window_s, peak);
      std::printf("  latency p50 %.0f us, p99 %.0f us, max %.0f us\n", r.p50_us, r.p99_us,
                  r.max_us);
      double const wall = std::max(r.window_s, r.send_s);
      std::printf("  generator CPU %.2f s in %.2f s (%.0f%% of one core)\n", r.generator_cpu_s,
                  wall, wall > 0 ? 100.0 * r.generator_cpu_s / wall : 0.0);
      if (wall > 0 && r.generator_cpu_s > 0.8 * wall) {
        std::printf(
            "  WARNING: the generator (one thread) was busy most of the time: it may be "
            "what limits these figures\n");
      }
      ServerSample after;
      if (server) {
        after = server->sample();
        double const cpu = after.cpu_seconds - before.cpu_seconds;
        std::printf(
            "  server: VmHWM %s, VmRSS %s, CPU %.2f s in the measured window (%.2f us "
            "per delivered line)\n",
            kib(after.hwm_kib).c_str(), kib(after.rss_kib).c_str(), cpu,
            r.delivered > 0 ? cpu * 1e6 / static_cast<double>(r.delivered) : 0.0);
      }
      std::printf(
          "result load=%c server=%s clients=%d room=%d rate=%d sent=%ld expected=%ld "
          "delivered=%ld lost=%ld per_s=%.0f p50_us=%.0f p99_us=%.0f hwm_kib=%ld rss_kib=%ld "
          "gen_cpu_s=%.2f server_cpu_s=%.2f\n",
          load.name, server_name.c_str(), load.clients, load.room_size, load.rate, r.sent,
          r.expected, r.delivered, lost, per_second, r.p50_us, r.p99_us, after.hwm_kib,
          after.rss_kib, r.generator_cpu_s, server ? after.cpu_seconds - before.cpu_seconds : -1.0);
    }  // the clients disconnect here
    if (server) std::printf("  server %s\n", server->stop().c_str());
  } catch (std::exception const& e) {
    std::printf("  FAILED: %s\n", e.what());
    if (server) std::printf("  server %s\n", server->stop().c_str());
    std::fflush(stdout);
    return false;
  }
  std::fflush(stdout);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options const options = parse(argc, argv);
  ::signal(SIGPIPE, SIG_IGN);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  bool ok = true;
  for (Load load : default_loads) {
    if (options.loads != "all" && options.loads[0] != load.name) continue;
    if (options.clients > 0) load.clients = options.clients;
    if (options.room_size > 0) load.room_size = options.room_size;
    if (options.rate >= 0) load.rate = options.rate;
    if (options.messages > 0) load.messages = options.messages;
    if (options.window >= 0) load.window = options.window;
    load.messages = std::max(1, static_cast<int>(std::lround(load.messages * options.scale)));
    ok = run_load(load, options) && ok;
  }
  return ok ? 0 : 1;
}
