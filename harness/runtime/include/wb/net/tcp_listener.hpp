// wb::net::TcpListener — a listening TCP socket: bind(addr) (port 0 lets the system pick a free
// port; local_addr() says which), then accept() is a future of the next connection and the
// address it came from. The socket joins the I/O driver of the runtime that first polls it, so
// a listener bound before block_on still belongs to that runtime.
#pragma once

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <utility>

#include "wb/core/future.hpp"
#include "wb/io/async_read.hpp"
#include "wb/net/socket.hpp"
#include "wb/net/socket_addr.hpp"
#include "wb/net/tcp_stream.hpp"

namespace wb::net {

/// A connection taken from a listener, and where it came from.
struct Accepted {
  TcpStream stream;
  SocketAddr peer;
};

class TcpListener {
 public:
  /// Binds and listens on `addr` (SO_REUSEADDR, so a restarted server can bind at once).
  static IoResult<TcpListener> bind(SocketAddr addr, int backlog = 1024) {
    int fd = ::socket(addr.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return unexpected(last_error());
    int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (::bind(fd, addr.raw(), addr.raw_size()) < 0 || ::listen(fd, backlog) < 0) {
      auto error = last_error();
      ::close(fd);
      return unexpected(error);
    }
    return TcpListener(fd);
  }

  TcpListener(TcpListener&& other) noexcept
      : fd_(std::exchange(other.fd_, -1)), socket_(std::move(other.socket_)) {}
  TcpListener& operator=(TcpListener&& other) noexcept {
    TcpListener(std::move(other)).swap(*this);
    return *this;
  }
  ~TcpListener() {
    if (fd_ >= 0) ::close(fd_);
  }

  /// The address it listens on, with the port the system picked for port 0.
  IoResult<SocketAddr> local_addr() const {
    return Socket::name_of(socket_ ? socket_->fd() : fd_, ::getsockname);
  }

  /// Ready with the next connection (non-blocking, registered with this runtime's driver),
  /// or with an error.
  Poll<IoResult<Accepted>> poll_accept(Context& cx) {
    if (!socket_) {
      auto socket = Socket::adopt(std::exchange(fd_, -1));
      if (!socket) return IoResult<Accepted>(unexpected(socket.error()));
      socket_.emplace(std::move(*socket));
    }
    sockaddr_storage peer{};
    auto accepted = socket_->registration().poll_io(Direction::read, cx, [&] {
      socklen_t size = sizeof peer;
      return ::accept4(socket_->fd(), reinterpret_cast<sockaddr*>(&peer), &size,
                       SOCK_NONBLOCK | SOCK_CLOEXEC);
    });
    if (accepted.is_pending()) return pending;
    auto fd = std::move(accepted).value();
    if (!fd) return IoResult<Accepted>(unexpected(fd.error()));
    auto stream = TcpStream::from_fd(static_cast<int>(*fd));
    if (!stream) return IoResult<Accepted>(unexpected(stream.error()));
    return IoResult<Accepted>(Accepted{std::move(*stream), SocketAddr::from(peer)});
  }

  class Accept {
   public:
    using Output = IoResult<Accepted>;
    explicit Accept(TcpListener& listener) noexcept : listener_(&listener) {}
    Poll<Output> poll(Context& cx) { return listener_->poll_accept(cx); }

   private:
    TcpListener* listener_;
  };
  /// The future of the next connection: `auto accepted = co_await listener.accept();`
  Accept accept() noexcept { return Accept(*this); }

  void swap(TcpListener& other) noexcept {
    std::swap(fd_, other.fd_);
    std::swap(socket_, other.socket_);
  }

 private:
  explicit TcpListener(int fd) noexcept : fd_(fd) {}

  int fd_ = -1;                   // until the first poll registers it
  std::optional<Socket> socket_;  // after
};

}  // namespace wb::net
