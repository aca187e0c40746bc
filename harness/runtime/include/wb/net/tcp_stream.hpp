// wb::net::TcpStream — a TCP connection: connect(addr) is a future (a non-blocking connect that
// waits for the socket to become writable), then poll_read and poll_write move bytes without
// blocking a thread, poll_shutdown ends the write direction, and into_split() gives owned read
// and write halves for two tasks. Refused, reset, the end of the data and timeouts are values
// (an IoResult holding a std::error_code), never exceptions: they are ordinary on a network.
#pragma once

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <system_error>
#include <utility>

#include "wb/core/address_check.hpp"
#include "wb/core/future.hpp"
#include "wb/io/async_read.hpp"
#include "wb/net/socket.hpp"
#include "wb/net/socket_addr.hpp"
#include "wb/net/tcp_halves.hpp"
#include "wb/time/timeout.hpp"

namespace wb::net {

class TcpStream {
 public:
  class Connect;
  /// A future that connects to `addr`: Ready with the stream, or with the error (for example
  /// std::errc::connection_refused).
  static Connect connect(SocketAddr addr);

  /// Adopts a connected, non-blocking socket (what accept returns; a socketpair end in tests).
  static IoResult<TcpStream> from_fd(int fd) {
    auto socket = Socket::adopt(fd);
    if (!socket) return unexpected(socket.error());
    return TcpStream(std::move(*socket));
  }

  /// Ready(n) with n bytes read into `buffer`, 0 at the end of the data, or an error.
  /// `co_await wb::read(stream, buffer)` is one read as a future.
  Poll<IoResult<std::size_t>> poll_read(Context& cx, std::span<char> buffer) {
    return socket().poll_read(cx, buffer);
  }
  /// Ready(n) with the first n bytes of `bytes` sent — n may be fewer than asked when the
  /// socket's send buffer fills up —, or an error (a reset peer: connection_reset or
  /// broken_pipe).
  Poll<IoResult<std::size_t>> poll_write(Context& cx, std::span<char const> bytes) {
    return socket().poll_write(cx, bytes);
  }
  /// Ready at once: a socket keeps no bytes of its own in user space.
  Poll<IoResult<void>> poll_flush(Context&) { return IoResult<void>(); }
  /// Shuts the write direction down: the peer reads the end of the data after the rest.
  Poll<IoResult<void>> poll_shutdown(Context&) { return socket().shutdown_write(); }

  /// The same as poll_shutdown, for code that is not inside a poll.
  IoResult<void> shutdown_write() { return socket().shutdown_write(); }
  IoResult<void> set_nodelay(bool on) { return socket().set_nodelay(on); }
  IoResult<bool> nodelay() const { return socket_->nodelay(); }
  IoResult<SocketAddr> peer_addr() const { return socket_->peer_addr(); }
  IoResult<SocketAddr> local_addr() const { return socket_->local_addr(); }

  /// Splits the stream into halves that two tasks can use at once (see tcp_halves.hpp).
  std::pair<OwnedReadHalf, OwnedWriteHalf> into_split() && {
    auto shared = std::make_shared<Socket>(std::move(*socket_));
    socket_.reset();
    return {OwnedReadHalf(shared), OwnedWriteHalf(shared)};
  }

  int fd() const noexcept { return socket_->fd(); }

 private:
  explicit TcpStream(Socket socket) : socket_(std::move(socket)) {}
  Socket& socket() {
    if (!socket_) throw ContractViolation("a TcpStream was used after into_split()");
    return *socket_;
  }

  std::optional<Socket> socket_;
};

/// The future of TcpStream::connect.
class TcpStream::Connect {
 public:
  using Output = IoResult<TcpStream>;
  explicit Connect(SocketAddr addr) : addr_(addr) {}
  Connect(Connect&& other) noexcept : addr_(other.addr_) {}  // before the first poll only
  Connect& operator=(Connect&&) = delete;

  Poll<Output> poll(Context& cx) {
    check_.on_poll(this);
    if (!socket_) {
      int fd = ::socket(addr_.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) return Output(unexpected(last_error()));
      if (::connect(fd, addr_.raw(), addr_.raw_size()) == 0) {  // at once (it happens on loopback)
        return from(Socket::adopt(fd));
      }
      if (errno != EINPROGRESS) {
        auto error = last_error();
        ::close(fd);
        return Output(unexpected(error));
      }
      // Registered only now: epoll reports the edge of a connect that completed meanwhile.
      auto socket = Socket::adopt(fd, IoDriver::Initially::not_ready);
      if (!socket) return Output(unexpected(socket.error()));
      socket_.emplace(std::move(*socket));
    }
    if (!socket_->registration().poll_ready(Direction::write, cx)) return pending;
    int error = 0;
    socklen_t size = sizeof error;
    if (::getsockopt(socket_->fd(), SOL_SOCKET, SO_ERROR, &error, &size) < 0) error = errno;
    if (error != 0) {
      socket_.reset();
      return Output(unexpected(std::error_code(error, std::system_category())));
    }
    Socket connected = std::move(*socket_);
    socket_.reset();
    return Output(TcpStream(std::move(connected)));
  }

 private:
  static Poll<Output> from(IoResult<Socket> socket) {
    if (!socket) return Output(unexpected(socket.error()));
    return Output(TcpStream(std::move(*socket)));
  }

  SocketAddr addr_;
  std::optional<Socket> socket_;  // while the connect is in progress
  [[no_unique_address]] AddressCheck check_;
};

inline TcpStream::Connect TcpStream::connect(SocketAddr addr) { return Connect(addr); }

/// The future of a connect that gives up after `limit`: Ready with the stream, or with the
/// error, std::errc::timed_out when the time ran out first.
class ConnectWithin {
 public:
  using Output = IoResult<TcpStream>;
  ConnectWithin(SocketAddr addr, Duration limit)
      : inner_(TcpStream::connect(addr), Sleep::after(limit)) {}
  Poll<Output> poll(Context& cx) {
    auto result = inner_.poll(cx);
    if (result.is_pending()) return pending;
    auto outcome = std::move(result).value();
    if (!outcome) return Output(unexpected(std::make_error_code(std::errc::timed_out)));
    return std::move(*outcome);
  }

 private:
  Timeout<TcpStream::Connect> inner_;
};

/// connect(addr), with std::errc::timed_out if it has not succeeded or failed within `limit`.
template <class Rep, class Period>
ConnectWithin connect_within(SocketAddr addr, std::chrono::duration<Rep, Period> limit) {
  return ConnectWithin(addr, std::chrono::ceil<Duration>(limit));
}

}  // namespace wb::net
