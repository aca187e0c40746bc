// wb::testing::RedisServer — a redis-server of the test's own on 127.0.0.1, started on a free
// port with persistence off, ready once it answers PING, and stopped (SIGKILL) by stop() or the
// destructor. Where redis-server is not installed, start_or_skip() says so and ends the test
// program with exit code 77, which ctest reports as skipped (SKIP_RETURN_CODE).
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

extern char** environ;

namespace wb::testing {

class RedisServer {
 public:
  /// The redis-server program on PATH (or in /usr/sbin), or empty.
  static std::optional<std::string> find_program() {
    std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
    path += ":/usr/sbin";  // where some distributions put servers, often not on PATH
    std::size_t start = 0;
    while (start <= path.size()) {
      std::size_t end = path.find(':', start);
      if (end == std::string::npos) end = path.size();
      std::string dir = path.substr(start, end - start);
      if (!dir.empty()) {
        std::string candidate = dir + "/redis-server";
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
      }
      start = end + 1;
    }
    return std::nullopt;
  }

  /// A port nobody listens on right now: bound to port 0 (the kernel picks) and closed again.
  /// Another process may take it before it is used; start() retries then.
  static int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket() failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t size = sizeof address;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) < 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) < 0) {
      ::close(fd);
      throw std::runtime_error("could not bind a port on 127.0.0.1");
    }
    ::close(fd);
    return ntohs(address.sin_port);
  }

  /// Starts a server, or ends the program with 77 (skipped) when redis-server is not installed.
  static RedisServer start_or_skip() {
    auto program = find_program();
    if (!program) {
      std::fprintf(stderr,
                   "SKIPPED: redis-server is not installed, so the Redis tests cannot run "
                   "(scripts/setup installs it: apt-get install redis-server)\n");
      std::fflush(stderr);
      std::exit(77);
    }
    return RedisServer(*program);
  }

  RedisServer(RedisServer&& other) noexcept
      : port_(other.port_), pid_(std::exchange(other.pid_, -1)) {}
  RedisServer& operator=(RedisServer&&) = delete;
  ~RedisServer() { stop(); }

  int port() const noexcept { return port_; }
  std::string host() const { return "127.0.0.1"; }
  bool running() const noexcept { return pid_ > 0; }

  /// Kills the server at once (its clients see their connections end) and waits for it.
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  explicit RedisServer(std::string const& program) {
    std::string last_problem;
    for (int attempt = 0; attempt < 8; ++attempt) {
      port_ = free_port();
      pid_ = spawn(program, port_);
      if (pid_ < 0) throw std::runtime_error("could not start " + program);
      if (wait_until_ready(last_problem)) return;
      stop();  // most often: the port was taken in between; try another
    }
    throw std::runtime_error("redis-server did not answer PING on a free port after 8 tries: " +
                             last_problem);
  }

  static pid_t spawn(std::string const& program, int port) {
    std::string const port_text = std::to_string(port);
    std::vector<std::string> args = {
        program,   "--port",       port_text, "--bind",           "127.0.0.1", "--save",
        "",        "--appendonly", "no",      "--daemonize",      "no",        "--loglevel",
        "warning", "--dir",        "/tmp",    "--protected-mode", "no"};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    int const failed =
        ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    return failed ? -1 : pid;
  }

  /// Polls until the server answers PING (up to 10 s), or until it has exited.
  bool wait_until_ready(std::string& problem) {
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        problem = "redis-server exited at once (port " + std::to_string(port_) + " taken?)";
        return false;
      }
      if (answers_ping()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    problem = "no PONG within 10 s";
    return false;
  }

  bool answers_ping() const {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(port_));
    bool ok = false;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
      timeval limit{2, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
      char const ping[] = "PING\r\n";
      char reply[16] = {};
      if (::send(fd, ping, sizeof ping - 1, MSG_NOSIGNAL) == sizeof ping - 1) {
        ssize_t const n = ::recv(fd, reply, sizeof reply - 1, 0);
        ok = n >= 5 && std::string(reply, 5) == "+PONG";
      }
    }
    ::close(fd);
    return ok;
  }

  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace wb::testing
