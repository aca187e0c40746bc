// wb::testing::ScriptedTcpClient — a plain blocking TCP client for tests that talk to a server
// over loopback: connect, send lines, expect lines (each wait bounded by a hang guard, so a
// server that never answers fails the test instead of hanging it), close the write side, or
// reset the connection (SO_LINGER 0: the peer sees connection_reset). It uses no runtime, so it
// can run on a thread of its own beside the server under test.
#pragma once

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "wb/net/socket_addr.hpp"

namespace wb::testing {

class ScriptedTcpClient {
 public:
  /// How long one expect_line() or read waits before it gives up: a hang guard, not a timing
  /// assertion — a correct server answers in microseconds.
  static constexpr std::chrono::milliseconds default_patience{10'000};

  /// Connects to `addr` (blocking). Throws std::system_error if that fails.
  explicit ScriptedTcpClient(net::SocketAddr const& addr,
                             std::chrono::milliseconds patience = default_patience)
      : patience_(patience) {
    fd_ = ::socket(addr.family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::system_error(errno, std::system_category(), "socket");
    if (::connect(fd_, addr.raw(), addr.raw_size()) < 0) {
      int error = errno;
      ::close(fd_);
      throw std::system_error(error, std::system_category(), "connect to " + addr.to_string());
    }
    int on = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  }
  ScriptedTcpClient(ScriptedTcpClient const&) = delete;
  ScriptedTcpClient& operator=(ScriptedTcpClient const&) = delete;
  ScriptedTcpClient(ScriptedTcpClient&& other) noexcept
      : fd_(std::exchange(other.fd_, -1)),
        patience_(other.patience_),
        pending_(std::move(other.pending_)) {}
  ~ScriptedTcpClient() { close(); }

  /// Sends `text` as it is.
  void send(std::string_view text) {
    while (!text.empty()) {
      ssize_t sent = ::send(fd_, text.data(), text.size(), MSG_NOSIGNAL);
      if (sent < 0) {
        if (errno == EINTR) continue;
        throw std::system_error(errno, std::system_category(), "send");
      }
      text.remove_prefix(static_cast<std::size_t>(sent));
    }
  }
  /// Sends `line` and a newline.
  void send_line(std::string_view line) { send(std::string(line) + "\n"); }

  /// The next line the server sends, without its newline; empty optional at the end of the
  /// data (before a full line). Throws if nothing complete arrives within the patience.
  std::optional<std::string> read_line() {
    for (;;) {
      auto newline = pending_.find('\n');
      if (newline != std::string::npos) {
        std::string line = pending_.substr(0, newline);
        pending_.erase(0, newline + 1);
        return line;
      }
      if (!fill()) return std::nullopt;
    }
  }

  /// Reads the next line and throws (naming both) unless it is `expected`.
  void expect_line(std::string_view expected) {
    auto line = read_line();
    if (!line) {
      throw std::runtime_error("expected the line \"" + std::string(expected) +
                               "\" but the server closed the connection");
    }
    if (*line != expected) {
      throw std::runtime_error("expected the line \"" + std::string(expected) +
                               "\" but the server sent \"" + *line + "\"");
    }
  }

  /// True once the server has closed its side and every byte sent before has been read.
  bool expect_eof() {
    while (fill()) {
    }
    return true;
  }

  /// Everything received and not yet read as lines.
  std::string const& unread() const noexcept { return pending_; }

  /// Closes the write side: the server reads the end of the data.
  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }

  /// Closes with SO_LINGER 0: the kernel sends a reset, and the server's next read or write
  /// fails with connection_reset (or broken_pipe) instead of seeing an orderly end.
  void reset() {
    linger abort{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
    close();
  }

  void close() {
    if (fd_ >= 0) ::close(std::exchange(fd_, -1));
  }

  int fd() const noexcept { return fd_; }

 private:
  // Reads what is there into pending_; false at the end of the data.
  bool fill() {
    pollfd waiting{fd_, POLLIN, 0};
    int ready = ::poll(&waiting, 1, static_cast<int>(patience_.count()));
    if (ready == 0) {
      throw std::runtime_error("the server sent nothing for " + std::to_string(patience_.count()) +
                               " ms (received so far: \"" + pending_ + "\")");
    }
    if (ready < 0) throw std::system_error(errno, std::system_category(), "poll");
    char buffer[4096];
    ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
    if (got < 0) throw std::system_error(errno, std::system_category(), "recv");
    if (got == 0) return false;
    pending_.append(buffer, static_cast<std::size_t>(got));
    return true;
  }

  int fd_ = -1;
  std::chrono::milliseconds patience_;
  std::string pending_;
};

}  // namespace wb::testing
