// Chapter 16's reference chat server (the wb_chat_server program) under stress, over real TCP:
// a thousand clients at once, clients vanishing mid-line, a line of a megabyte, a client that
// never reads, and SIGINT under load. Each case starts its own server with --port 0 and talks to
// it with plain non-blocking sockets on one epoll set, so that what is tested is the server alone.
// Nothing here is timed except generous upper limits that only a hung server reaches; the
// assertions are about what arrived, what did not, and how much memory the server holds.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>
#include <wb/testing/catch.hpp>

extern char** environ;

#ifndef WB_CHAT_SERVER
#error "WB_CHAT_SERVER must name the wb_chat_server program (set by harness/tests/CMakeLists.txt)"
#endif

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// --- The server: a child process ---

/// The server's memory, from /proc/<pid>/status, in KiB.
struct Memory {
  long rss_kib = 0;  // resident now
  long hwm_kib = 0;  // the most it was ever resident ("high water mark")
};

/// One wb_chat_server child on a port of its own. stdout is read for its first lines (the
/// address, the metrics address); stderr stays the test's, so a sanitizer report is seen.
class ServerProcess {
 public:
  explicit ServerProcess(std::vector<std::string> extra = {}) {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    // WB_CHAT_SERVER_PROGRAM runs these cases against another build of it (TSan, release).
    char const* other = std::getenv("WB_CHAT_SERVER_PROGRAM");
    std::vector<std::string> args = {other && *other ? other : WB_CHAT_SERVER, "--port", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    // ASan keeps freed memory in a quarantine (256 MB by default) to catch use after free; that
    // would count as the server's memory here. A small quarantine keeps the check honest.
    std::vector<std::string> env_text;
    bool asan_seen = false;
    for (char** entry = environ; *entry; ++entry) {
      std::string text = *entry;
      if (text.rfind("ASAN_OPTIONS=", 0) == 0) {
        text += ":quarantine_size_mb=4";
        asan_seen = true;
      }
      env_text.push_back(text);
    }
    if (!asan_seen) env_text.push_back("ASAN_OPTIONS=quarantine_size_mb=4");
    std::vector<char*> envp;
    for (auto& text : env_text) envp.push_back(text.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    int const failed =
        ::posix_spawn(&pid_, args[0].c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    stdout_fd_ = out[0];
    if (failed) throw std::runtime_error("could not start " + args[0]);
    std::string first = read_stdout_line(60s);
    std::string const prefix = "listening on 127.0.0.1:";
    if (first.rfind(prefix, 0) != 0) {
      throw std::runtime_error("the server's first line was \"" + first + "\", not \"" + prefix +
                               "PORT\"");
    }
    port_ = std::stoi(first.substr(prefix.size()));
  }
  ServerProcess(ServerProcess const&) = delete;
  ServerProcess& operator=(ServerProcess const&) = delete;
  ~ServerProcess() {
    if (pid_ > 0 && !status_) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    if (stdout_fd_ >= 0) ::close(stdout_fd_);
  }

  int port() const noexcept { return port_; }
  pid_t pid() const noexcept { return pid_; }

  /// The next line the server printed (without "\n"), waiting up to `limit`.
  std::string read_stdout_line(Clock::duration limit) {
    auto const deadline = Clock::now() + limit;
    for (;;) {
      auto newline = stdout_text_.find('\n');
      if (newline != std::string::npos) {
        std::string line = stdout_text_.substr(0, newline);
        stdout_text_.erase(0, newline + 1);
        return line;
      }
      if (Clock::now() > deadline) return "(nothing within the limit)";
      pollfd one{stdout_fd_, POLLIN, 0};
      if (::poll(&one, 1, 100) <= 0) continue;
      char buffer[512];
      ssize_t const n = ::read(stdout_fd_, buffer, sizeof buffer);
      if (n <= 0) return "(the server closed its output)";
      stdout_text_.append(buffer, static_cast<std::size_t>(n));
    }
  }

  /// True while the server runs; once it has ended, how is in exit_description().
  bool alive() {
    if (status_) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      status_ = status;
      return false;
    }
    return true;
  }

  std::string exit_description() const {
    if (!status_) return "still running";
    if (WIFEXITED(*status_)) return "exited with code " + std::to_string(WEXITSTATUS(*status_));
    if (WIFSIGNALED(*status_)) {
      return "killed by signal " + std::to_string(WTERMSIG(*status_)) + " (" +
             strsignal(WTERMSIG(*status_)) + ")";
    }
    return "ended with status " + std::to_string(*status_);
  }

  /// Waits up to `limit` for the server to end; its status, or nothing if it still runs.
  std::optional<int> wait_for_exit(Clock::duration limit) {
    auto const deadline = Clock::now() + limit;
    while (alive()) {
      if (Clock::now() > deadline) return std::nullopt;
      std::this_thread::sleep_for(20ms);
    }
    return status_;
  }

  void signal(int number) { ::kill(pid_, number); }

  Memory memory() const {
    Memory memory;
    std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
    std::string key;
    long value = 0;
    std::string unit;
    while (status >> key) {
      if (key == "VmRSS:" && status >> value >> unit) memory.rss_kib = value;
      if (key == "VmHWM:" && status >> value >> unit) memory.hwm_kib = value;
    }
    return memory;
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  int stdout_fd_ = -1;
  std::string stdout_text_;
  std::optional<int> status_;
};

// --- The clients: many sockets on one epoll set ---

/// The text of a payload line: "m <sender> <seq> <padding>", parsed back from what arrived.
struct Payload {
  std::size_t sender = 0;
  std::size_t seq = 0;
};

std::optional<Payload> payload_in(std::string const& line) {
  auto at = line.find(": m ");
  if (at == std::string::npos || line.rfind("[#", 0) != 0) return std::nullopt;
  std::istringstream words(line.substr(at + 4));
  Payload payload;
  if (!(words >> payload.sender >> payload.seq)) return std::nullopt;
  return payload;
}

std::string payload_line(std::size_t sender, std::size_t seq, std::size_t padding = 0) {
  return "m " + std::to_string(sender) + " " + std::to_string(seq) + " " +
         std::string(padding, 'p') + "\n";
}

/// One client connection and everything it has read, split into lines.
struct Client {
  int fd = -1;
  std::size_t index = 0;
  std::string partial;             // the start of a line still to end
  std::vector<std::string> lines;  // every line but payloads and the room's join/leave notices
  std::vector<std::vector<std::size_t>> payloads;  // by sender: the seqs of its payload lines
  std::size_t notices = 0;                         // "[server] X joined/left ..." lines
  bool ended = false;                              // end of data, or the connection reset
  int error = 0;                                   // the errno that ended it, if any
  bool reading = true;  // false: the test leaves its data unread (a slow client)

  bool has_line_with(std::string const& text) const {
    return std::any_of(lines.begin(), lines.end(), [&](std::string const& line) {
      return line.find(text) != std::string::npos;
    });
  }
  std::size_t count_lines_with(std::string const& text) const {
    return static_cast<std::size_t>(
        std::count_if(lines.begin(), lines.end(),
                      [&](auto const& line) { return line.find(text) != std::string::npos; }));
  }
};

bool is_room_notice(std::string const& line) {
  if (line.rfind("[server] ", 0) != 0) return false;
  return line.find(" joined #") != std::string::npos || line.find(" left #") != std::string::npos;
}

class Crowd {
 public:
  explicit Crowd(int port) : port_(port), epoll_(::epoll_create1(EPOLL_CLOEXEC)) {
    if (epoll_ < 0) throw std::runtime_error("epoll_create1 failed");
  }
  Crowd(Crowd const&) = delete;
  Crowd& operator=(Crowd const&) = delete;
  ~Crowd() {
    for (auto& client : clients_) {
      if (client->fd >= 0) ::close(client->fd);
    }
    ::close(epoll_);
  }

  /// A new client connected to the server (the connection is made; its welcome is to come).
  /// `receive_buffer` > 0 makes its kernel receive buffer that small (a slow reader's).
  Client& connect(int receive_buffer = 0) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    if (receive_buffer > 0) {
      ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(port_));
    // Blocking: the kernel completes the handshake from the listen backlog, whether or not the
    // server has accepted yet, so many connects in a row still arrive "at once".
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      int const error = errno;
      ::close(fd);
      throw std::runtime_error(std::string("connect: ") + std::strerror(error));
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    auto client = std::make_unique<Client>();
    client->fd = fd;
    client->index = clients_.size();
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP;
    event.data.u64 = client->index;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &event);
    clients_.push_back(std::move(client));
    return *clients_.back();
  }

  std::vector<std::unique_ptr<Client>>& clients() { return clients_; }
  Client& operator[](std::size_t i) { return *clients_[i]; }
  std::size_t size() const { return clients_.size(); }

  /// Sends all of `text`, reading every client meanwhile (so that nobody's server-side queue
  /// fills while this one waits). False if the connection failed.
  bool send(Client& client, std::string const& text) {
    std::size_t sent = 0;
    auto const deadline = Clock::now() + 60s;
    while (sent < text.size()) {
      ssize_t const n =
          ::send(client.fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        sent += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return false;
      if (Clock::now() > deadline) return false;
      pump(5);
    }
    return true;
  }

  /// Ends `client` the rude way: a reset (SO_LINGER 0) instead of an orderly close.
  void reset(Client& client) {
    linger abort_now{1, 0};
    ::setsockopt(client.fd, SOL_SOCKET, SO_LINGER, &abort_now, sizeof abort_now);
    close(client);
  }
  void close(Client& client) {
    if (client.fd < 0) return;
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, client.fd, nullptr);
    ::close(client.fd);
    client.fd = -1;
    client.ended = true;
  }

  /// Reads whatever has arrived on any reading client, waiting up to `wait_ms` for the first.
  void pump(int wait_ms) {
    epoll_event events[256];
    int const n = ::epoll_wait(epoll_, events, 256, wait_ms);
    for (int i = 0; i < n; ++i) read_from(*clients_[events[i].data.u64]);
  }

  /// Reads until `done()` holds; false if `limit` passed first (a hung or lost condition).
  bool pump_until(std::function<bool()> const& done, Clock::duration limit) {
    auto const deadline = Clock::now() + limit;
    while (!done()) {
      if (Clock::now() > deadline) return false;
      pump(20);
    }
    return true;
  }

  /// Stops reading `client` (its data stays in the kernel), or starts again.
  void set_reading(Client& client, bool reading) {
    client.reading = reading;
    epoll_event event{};
    event.events = reading ? (EPOLLIN | EPOLLRDHUP) : 0;
    event.data.u64 = client.index;
    ::epoll_ctl(epoll_, EPOLL_CTL_MOD, client.fd, &event);
  }

 private:
  void read_from(Client& client) {
    if (client.fd < 0 || !client.reading) return;
    char buffer[16384];
    for (;;) {
      ssize_t const n = ::recv(client.fd, buffer, sizeof buffer, 0);
      if (n > 0) {
        client.partial.append(buffer, static_cast<std::size_t>(n));
        std::size_t start = 0;
        for (auto newline = client.partial.find('\n'); newline != std::string::npos;
             newline = client.partial.find('\n', start)) {
          std::string line = client.partial.substr(start, newline - start);
          start = newline + 1;
          if (is_room_notice(line)) {
            ++client.notices;
          } else if (auto payload = payload_in(line)) {
            if (client.payloads.size() <= payload->sender)
              client.payloads.resize(payload->sender + 1);
            client.payloads[payload->sender].push_back(payload->seq);
          } else {
            client.lines.push_back(std::move(line));
          }
        }
        client.partial.erase(0, start);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      if (n < 0 && errno == EINTR) continue;
      client.error = n < 0 ? errno : 0;
      close(client);
      return;
    }
  }

  int port_;
  int epoll_;
  std::vector<std::unique_ptr<Client>> clients_;
};

std::size_t count_welcomed(Crowd& crowd) {
  std::size_t welcomed = 0;
  for (auto& client : crowd.clients())
    welcomed += client->has_line_with("[server] welcome") ? 1 : 0;
  return welcomed;
}

/// Fails the test with what became of the server, if it is no longer running.
void require_alive(ServerProcess& server, std::string const& when) {
  INFO("The server must survive " << when << ", but it " << server.exit_description()
                                  << ". A crash here is a bug in the server (its sanitizer report, "
                                     "if any, is above).");
  REQUIRE(server.alive());
}

/// Ends the server with SIGINT and requires a clean exit: code 0 within a generous limit.
void require_clean_exit(ServerProcess& server, Clock::duration limit = 60s) {
  server.signal(SIGINT);
  auto status = server.wait_for_exit(limit);
  INFO(
      "After SIGINT the server must end by itself with code 0 (it drains each client for at most "
      "2 s). It "
      << (status ? server.exit_description() : "was still running after the limit")
      << ". A nonzero code under the sanitizers is often a leak report: see above.");
  REQUIRE(status);
  REQUIRE(WIFEXITED(*status));
  REQUIRE(WEXITSTATUS(*status) == 0);
}

/// The server's /metrics page, one counter of it.
std::optional<long> metric(int port, std::string const& name) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  std::string response;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    std::string const request = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
    ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    char buffer[4096];
    for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) {
      response.append(buffer, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  std::istringstream lines(response);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(name + " ", 0) == 0) return std::stol(line.substr(name.size() + 1));
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("a thousand clients connecting at once all get their welcome and can talk") {
  constexpr std::size_t clients = 1000;
  constexpr std::size_t room_size = 20;
  // The test and the server each need one descriptor per client, and some to spare.
  rlimit files{};
  ::getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &files);
  if (files.rlim_cur != RLIM_INFINITY && files.rlim_cur < clients + 200) {
    WARN("SKIPPED: 1000 clients need at least " << clients + 200
                                                << " open files in this process and the server; "
                                                   "the hard limit (ulimit -Hn) is only "
                                                << files.rlim_cur);
    return;
  }
  ServerProcess server;  // started after the raise: the limit is inherited
  Crowd crowd(server.port());
  for (std::size_t i = 0; i < clients; ++i) crowd.connect();

  bool const welcomed = crowd.pump_until([&] { return count_welcomed(crowd) == clients; }, 120s);
  require_alive(server, "1000 clients connecting at once");
  INFO("Each of 1000 clients that connected at once must get its welcome line; "
       << count_welcomed(crowd) << " did within 120 s. Likely causes: a listen backlog or a "
       << "descriptor limit too small, or an accept loop that stops at the first failure.");
  REQUIRE(welcomed);

  // Rooms of 20: each client moves to its room and says one line once everyone is there (a line
  // said earlier would miss those not yet in). Each must then hear its 19 room-mates.
  for (std::size_t i = 0; i < clients; ++i) {
    REQUIRE(crowd.send(crowd[i], "/join #r" + std::to_string(i / room_size) + "\n"));
  }
  auto in_room = [&] {
    std::size_t moved = 0;
    for (auto& client : crowd.clients())
      moved += client->has_line_with("you are now in #r") ? 1 : 0;
    return moved;
  };
  bool const moved = crowd.pump_until([&] { return in_room() == clients; }, 120s);
  require_alive(server, "1000 clients changing rooms");
  INFO("After /join, each of 1000 clients must get \"you are now in #rN\"; " << in_room()
                                                                             << " did.");
  REQUIRE(moved);

  for (std::size_t i = 0; i < clients; ++i) {
    REQUIRE(crowd.send(crowd[i], "hello from " + std::to_string(i) + "\n"));
  }
  auto heard_all = [&](Client const& client) {
    return client.count_lines_with(": hello from ") == room_size - 1;
  };
  bool const talked = crowd.pump_until(
      [&] {
        return std::all_of(crowd.clients().begin(), crowd.clients().end(),
                           [&](auto const& client) { return heard_all(*client); });
      },
      120s);
  require_alive(server, "1000 clients talking");
  std::size_t complete = 0;
  std::size_t fewest = room_size;
  for (auto& client : crowd.clients()) {
    complete += heard_all(*client) ? 1 : 0;
    fewest = std::min(fewest, client->count_lines_with(": hello from "));
  }
  INFO("In rooms of 20, each client said one line and must hear the 19 of its room-mates; "
       << complete << " of 1000 heard all 19 (the fewest heard: " << fewest << ").");
  REQUIRE(talked);
  require_clean_exit(server);
}

namespace {

/// The payloads `client` received from `sender`, in order of arrival.
std::vector<std::size_t> received_from(Client const& client, std::size_t sender) {
  return sender < client.payloads.size() ? client.payloads[sender] : std::vector<std::size_t>{};
}

std::size_t missed_notices(Client const& client) { return client.count_lines_with("you missed"); }

}  // namespace

TEST_CASE(
    "a hundred clients vanishing mid line leave the server running and the others lose "
    "nothing") {
  constexpr std::size_t stayers = 10;
  constexpr std::size_t droppers = 100;
  constexpr std::size_t rounds = 25;  // lines each stayer says: under the burst of 40
  ServerProcess server;
  Crowd crowd(server.port());
  for (std::size_t i = 0; i < stayers; ++i) crowd.connect();
  REQUIRE(crowd.pump_until([&] { return count_welcomed(crowd) == stayers; }, 60s));

  // Each round every stayer says one line, and four clients come and go in the middle of a
  // line of their own: half a line (some cut inside a UTF-8 character), then a close or a
  // reset, some before the server has even greeted them. The next round waits until every
  // stayer has heard this one, so that the room never holds more than a few dozen messages.
  std::size_t gone = 0;
  for (std::size_t round = 0; round < rounds; ++round) {
    for (std::size_t s = 0; s < stayers; ++s) REQUIRE(crowd.send(crowd[s], payload_line(s, round)));
    for (std::size_t k = 0; k < droppers / rounds; ++k, ++gone) {
      Client& dropper = crowd.connect();
      if (gone % 4 >= 2) {  // half of them wait for their welcome first
        crowd.pump_until([&] { return dropper.has_line_with("[server] welcome") || dropper.ended; },
                         60s);
      }
      std::string const half = gone % 3 == 0 ? std::string("half a line \xC3") : "half a line";
      crowd.send(dropper, half);
      if (gone % 2 == 0) {
        crowd.close(dropper);
      } else {
        crowd.reset(dropper);
      }
    }
    bool const heard = crowd.pump_until(
        [&] {
          for (std::size_t s = 0; s < stayers; ++s) {
            for (std::size_t from = 0; from < stayers; ++from) {
              if (from != s && received_from(crowd[s], from).size() < round + 1) return false;
            }
          }
          return true;
        },
        60s);
    require_alive(server, "clients closing or resetting their connections in the middle of a line");
    INFO("Round " << round << ": every one of " << stayers
                  << " clients said a line, and each must hear the other " << stayers - 1
                  << " while clients come and go around them; within 60 s some did not.");
    REQUIRE(heard);
  }

  for (std::size_t s = 0; s < stayers; ++s) {
    INFO("Client " << s << " stayed throughout: it must have every line of the others in the "
                   << "order said, no \"you missed\" notice, and nothing of the half lines.");
    for (std::size_t from = 0; from < stayers; ++from) {
      if (from == s) continue;
      std::vector<std::size_t> expected(rounds);
      for (std::size_t r = 0; r < rounds; ++r) expected[r] = r;
      CHECK(received_from(crowd[s], from) == expected);
    }
    CHECK(missed_notices(crowd[s]) == 0);
    std::string half_seen;
    for (auto const& line : crowd[s].lines) {
      if (line.find("half a line") != std::string::npos) half_seen = line;
    }
    INFO(
        "A piece of a line followed by the end of the connection is not a line (the page: "
        "\"a client whose data ends in the middle of a line loses that last piece\"), yet "
        "this client heard: "
        << half_seen);
    CHECK(half_seen.empty());
  }

  // The server forgets every client that left: /who names the stayers alone, once it has seen
  // the last of them go (asked once a second: well within the rate limit).
  std::string who;
  bool const forgotten = crowd.pump_until(
      [&] {
        auto& asker = crowd[0];
        for (auto const& line : asker.lines) {
          if (line.rfind("[server] in #general: ", 0) == 0) who = line;
        }
        if (!who.empty() && std::count(who.begin(), who.end(), ',') == stayers - 1) return true;
        asker.lines.clear();
        crowd.send(asker, "/who\n");
        crowd.pump(1000);
        return false;
      },
      60s);
  INFO("After " << droppers << " clients left mid-line, /who in #general must list the " << stayers
                << " that stayed; the last answer was: " << who);
  CHECK(forgotten);
  require_alive(server, "the clients that left");
  require_clean_exit(server);
}

TEST_CASE(
    "a line of a megabyte gets an error line and a disconnect and the server memory stays "
    "bounded") {
  constexpr std::size_t senders = 20;
  constexpr std::size_t line_bytes = 1024 * 1024;
  ServerProcess server;
  Crowd crowd(server.port());
  for (std::size_t i = 0; i < senders; ++i) crowd.connect();
  REQUIRE(crowd.pump_until([&] { return count_welcomed(crowd) == senders; }, 60s));
  Memory const before = server.memory();

  // All of them at once, without waiting for one another: 20 MiB in flight.
  std::string const huge(line_bytes, 'x');
  std::vector<std::size_t> sent(senders, 0);
  bool const all_ended = crowd.pump_until(
      [&] {
        for (std::size_t i = 0; i < senders; ++i) {
          Client& client = crowd[i];
          if (client.ended || sent[i] > line_bytes) continue;
          ssize_t const n = ::send(client.fd, huge.data() + sent[i], line_bytes - sent[i],
                                   MSG_NOSIGNAL | MSG_DONTWAIT);
          if (n > 0) sent[i] += static_cast<std::size_t>(n);
          if (sent[i] == line_bytes && ::send(client.fd, "\n", 1, MSG_NOSIGNAL) == 1) ++sent[i];
          if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) sent[i] = line_bytes + 1;
        }
        return std::all_of(crowd.clients().begin(), crowd.clients().end(),
                           [](auto const& client) { return client->ended; });
      },
      120s);
  require_alive(server, "20 clients sending a line of 1 MiB each");
  Memory const after = server.memory();
  INFO("A line longer than 8192 bytes must end the connection; of 20 clients sending 1 MiB lines, "
       << std::count_if(crowd.clients().begin(), crowd.clients().end(),
                        [](auto const& client) { return client->ended; })
       << " were disconnected within 120 s.");
  REQUIRE(all_ended);
  for (auto& client : crowd.clients()) {
    INFO(
        "A client that sent a 1 MiB line must be told why it is cut off before the end; it "
        "read: "
        << (client->lines.empty() ? std::string("nothing") : client->lines.back()) << " ("
        << (client->error ? std::strerror(client->error) : "then the end of the data") << ")");
    CHECK(client->has_line_with("[server] error: a line may have at most 8192 bytes"));
  }
  // The bound: the reader holds at most 8 KiB of a line before refusing it, so each of the 20
  // costs the server its 8 KiB and a read buffer however much it sends — well under 1 MiB in
  // all. 8 MiB leaves room for the allocator and the sanitizers' bookkeeping, and is less than
  // half of the 20 MiB that a server keeping the lines would need.
  long const growth_kib = after.hwm_kib - before.hwm_kib;
  std::fprintf(stderr, "1 MiB lines: 20 sent at once, server VmHWM %ld -> %ld KiB (+%ld)\n",
               before.hwm_kib, after.hwm_kib, growth_kib);
  INFO("The server's peak memory (VmHWM) grew by " << growth_kib << " KiB (from " << before.hwm_kib
                                                   << " to " << after.hwm_kib
                                                   << " KiB) while 20 clients sent 1 MiB lines; "
                                                      "the bound is 8 MiB. A server that reads "
                                                      "a whole line before checking its length "
                                                      "holds each one.");
  CHECK(growth_kib < 8 * 1024);

  Client& later = crowd.connect();
  INFO("After refusing the long lines the server must still greet a new client.");
  CHECK(crowd.pump_until([&] { return later.has_line_with("[server] welcome"); }, 60s));
  require_clean_exit(server);
}

TEST_CASE("a client that never reads holds up nobody and the server memory stays bounded") {
  constexpr std::size_t talkers = 2;
  constexpr std::size_t readers = 3;
  constexpr std::size_t rounds = 160;    // 8,000 lines of 8 KB: 64 MB said
  constexpr std::size_t per_round = 25;  // lines each talker says before waiting for the room
  constexpr std::size_t padding = 8000;  // bytes a line
  ServerProcess server({"--rate-limit", "0", "--metrics-port", "0"});
  std::string const metrics_line = server.read_stdout_line(60s);
  auto const metrics_at = metrics_line.rfind(':');
  REQUIRE(metrics_line.rfind("metrics on http://127.0.0.1:", 0) == 0);
  int const metrics_port = std::stoi(metrics_line.substr(metrics_at + 1));

  Crowd crowd(server.port());
  for (std::size_t i = 0; i < talkers + readers; ++i) crowd.connect();
  Client& slow = crowd.connect(4096);  // a small receive window: the kernel holds little for it
  REQUIRE(crowd.pump_until([&] { return count_welcomed(crowd) == talkers + readers + 1; }, 60s));
  crowd.set_reading(slow, false);
  Memory const before = server.memory();
  Memory halfway;

  for (std::size_t round = 0; round < rounds; ++round) {
    for (std::size_t k = 0; k < per_round; ++k) {
      for (std::size_t t = 0; t < talkers; ++t) {
        REQUIRE(crowd.send(crowd[t], payload_line(t, round * per_round + k, padding)));
      }
    }
    bool const heard = crowd.pump_until(
        [&] {
          for (std::size_t r = 0; r < talkers + readers; ++r) {
            for (std::size_t t = 0; t < talkers; ++t) {
              if (t != r && received_from(crowd[r], t).size() < (round + 1) * per_round) {
                return false;
              }
            }
          }
          return true;
        },
        60s);
    require_alive(server, "a client that does not read in a busy room");
    INFO("Round " << round << ": with one client in the room not reading, the others must still "
                  << "hear every line; within 60 s some did not. A session that waits for room "
                  << "in a full client queue holds up its whole room.");
    REQUIRE(heard);
    if (round + 1 == rounds / 2) halfway = server.memory();
  }
  Memory const after = server.memory();
  std::size_t const said = talkers * rounds * per_round;

  for (std::size_t r = 0; r < talkers + readers; ++r) {
    INFO("Client " << r << " read all along: it must have every line of the talkers in order "
                   << "and no \"you missed\" notice.");
    for (std::size_t t = 0; t < talkers; ++t) {
      if (t == r) continue;
      CHECK(received_from(crowd[r], t).size() == rounds * per_round);
    }
    CHECK(missed_notices(crowd[r]) == 0);
  }
  // The bound: the slow client's queue holds 256 lines (2 MiB of these), the room's channel 100
  // (0.8 MiB), a writer's batch 64 KiB; the kernel's buffers are not the server's memory. All of
  // that is full within the first rounds, so the second half of what is said (32 MB) must leave
  // the peak where the first half put it: measured, it grows by under 1 MiB there (ASan, TSan and
  // release alike), while the first half takes it up by about 20 MiB under ASan (redzones, its
  // 4 MiB quarantine, per-thread caches), 50 MiB under TSan (shadow memory) and 8 MiB in a
  // release build. 4 MiB is the bound: a queue without a bound would grow by the 32 MB.
  long const late_growth_kib = after.hwm_kib - halfway.hwm_kib;
  std::fprintf(
      stderr, "slow reader: %zu lines of 8 KB said, server VmHWM %ld -> %ld (halfway) -> %ld KiB\n",
      said, before.hwm_kib, halfway.hwm_kib, after.hwm_kib);
  INFO("The server's peak memory (VmHWM) went from "
       << before.hwm_kib << " KiB to " << halfway.hwm_kib << " KiB over the first half of " << said
       << " lines of 8 KB said in a room where one client never read, then grew by "
       << late_growth_kib << " KiB over the second half (32 MB); the bound is 4 MiB. A queue "
       << "without a bound for the slow client grows with everything said.");
  CHECK(late_growth_kib < 4 * 1024);

  // Now it reads: it gets what its queue held, and each line it did not get is counted as
  // dropped (chat_dropped_total) or reported to it ("you missed N"): nothing vanishes unsaid.
  crowd.set_reading(slow, true);
  auto accounted = [&] {
    std::size_t got = 0;
    for (std::size_t t = 0; t < talkers; ++t) got += received_from(slow, t).size();
    std::size_t missed = 0;
    for (auto const& line : slow.lines) {
      auto at = line.find("you missed ");
      if (at != std::string::npos) missed += std::stoul(line.substr(at + 11));
    }
    auto dropped = metric(metrics_port, "chat_dropped_total").value_or(0);
    return std::tuple{got, missed, static_cast<std::size_t>(dropped)};
  };
  bool const balanced = crowd.pump_until(
      [&] {
        auto [got, missed, dropped] = accounted();
        return got + missed + dropped >= said;
      },
      60s);
  auto const [got, missed, dropped] = accounted();
  INFO("The client that never read got " << got << " of the " << said << " lines said; the "
                                         << "server counted " << dropped
                                         << " dropped and told it of " << missed
                                         << " missed. Together they must make all " << said << ".");
  CHECK(balanced);
  CHECK(dropped > 0);
  for (std::size_t t = 0; t < talkers; ++t) {
    auto seqs = received_from(slow, t);
    INFO("What the slow client got from talker " << t << " must be in the order said.");
    CHECK(std::is_sorted(seqs.begin(), seqs.end()));
  }
  require_clean_exit(server);
}

TEST_CASE(
    "SIGINT under load reaches every client with the shutdown notice and the server exits "
    "with 0") {
  constexpr std::size_t clients = 100;
  constexpr std::size_t room_size = 10;
  ServerProcess server;
  Crowd crowd(server.port());
  for (std::size_t i = 0; i < clients; ++i) crowd.connect();
  REQUIRE(crowd.pump_until([&] { return count_welcomed(crowd) == clients; }, 60s));
  for (std::size_t i = 0; i < clients; ++i) {
    REQUIRE(crowd.send(crowd[i], "/join #s" + std::to_string(i / room_size) + "\n"));
  }
  REQUIRE(crowd.pump_until(
      [&] {
        return std::all_of(crowd.clients().begin(), crowd.clients().end(),
                           [](auto const& c) { return c->has_line_with("you are now in #s"); });
      },
      60s));

  // Everyone talks, ten lines a second each (half the rate limit); the signal comes in the
  // middle of it, and the clients go on talking until the server closes their connection.
  std::size_t seq = 0;
  bool signalled = false;
  auto const started = Clock::now();
  auto next_round = started;
  bool const all_closed = crowd.pump_until(
      [&] {
        if (!signalled && Clock::now() - started > 2s) {
          server.signal(SIGINT);
          signalled = true;
        }
        if (Clock::now() >= next_round) {
          for (std::size_t i = 0; i < clients; ++i) {
            if (!crowd[i].ended) crowd.send(crowd[i], payload_line(i, seq));
          }
          ++seq;
          next_round += 100ms;
        }
        crowd.pump(10);
        return std::all_of(crowd.clients().begin(), crowd.clients().end(),
                           [](auto const& c) { return c->ended; });
      },
      120s);
  auto status = server.wait_for_exit(60s);
  std::size_t notified = 0;
  std::string unnotified;  // what the first client without the notice read last, and how it ended
  for (auto& client : crowd.clients()) {
    if (client->has_line_with("[server] Server shutting down...")) {
      ++notified;
      continue;
    }
    if (!unnotified.empty()) continue;
    unnotified = "client " + std::to_string(client->index) + " (" +
                 (client->error ? std::strerror(client->error) : "end of data") + ") read last:";
    auto const& lines = client->lines;
    for (std::size_t i = lines.size() > 3 ? lines.size() - 3 : 0; i < lines.size(); ++i) {
      unnotified += " | " + lines[i];
    }
  }
  INFO("After SIGINT every one of " << clients << " talking clients must get \"[server] Server "
                                    << "shutting down...\" and then the end of its connection; "
                                    << notified << " got the notice and "
                                    << std::count_if(crowd.clients().begin(), crowd.clients().end(),
                                                     [](auto const& c) { return c->ended; })
                                    << " were closed. The server " << server.exit_description()
                                    << ". " << unnotified);
  CHECK(all_closed);
  CHECK(notified == clients);
  REQUIRE(status);
  CHECK(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) == 0);
  CHECK(server.read_stdout_line(10s) == "shut down");
}
