// wb::net::OwnedReadHalf and wb::net::OwnedWriteHalf — the two directions of one TcpStream as
// separate objects (TcpStream::into_split), so that one task can read while another writes.
// Each direction keeps its own waker in the socket's readiness record, so the two never steal
// each other's wake-ups. The socket closes when both halves are gone; dropping the write half
// shuts the write direction down first, so the peer reads the end of the data.
#pragma once

#include <memory>
#include <span>
#include <utility>

#include "wb/core/future.hpp"
#include "wb/io/async_read.hpp"
#include "wb/net/socket.hpp"

namespace wb::net {

class OwnedReadHalf {
 public:
  explicit OwnedReadHalf(std::shared_ptr<Socket> socket) noexcept : socket_(std::move(socket)) {}

  /// Ready(n) with n bytes read into `buffer`, 0 at the end of the data, or an error.
  /// `co_await wb::read(half, buffer)` is one read as a future.
  Poll<IoResult<std::size_t>> poll_read(Context& cx, std::span<char> buffer) {
    return socket_->poll_read(cx, buffer);
  }

  IoResult<SocketAddr> peer_addr() const { return socket_->peer_addr(); }
  IoResult<SocketAddr> local_addr() const { return socket_->local_addr(); }

 private:
  std::shared_ptr<Socket> socket_;
};

class OwnedWriteHalf {
 public:
  explicit OwnedWriteHalf(std::shared_ptr<Socket> socket) noexcept : socket_(std::move(socket)) {}
  OwnedWriteHalf(OwnedWriteHalf&&) noexcept = default;
  OwnedWriteHalf& operator=(OwnedWriteHalf&& other) noexcept {
    OwnedWriteHalf(std::move(other)).swap(*this);
    return *this;
  }
  ~OwnedWriteHalf() {
    if (socket_ && !shut_down_) (void)socket_->shutdown_write();
  }

  /// Ready(n) with the first n bytes of `bytes` sent (n may be fewer than asked), or an error.
  Poll<IoResult<std::size_t>> poll_write(Context& cx, std::span<char const> bytes) {
    return socket_->poll_write(cx, bytes);
  }
  /// Ready at once: a socket keeps no bytes of its own in user space.
  Poll<IoResult<void>> poll_flush(Context&) { return IoResult<void>(); }
  /// Shuts the write direction down (the peer reads the end of the data).
  Poll<IoResult<void>> poll_shutdown(Context&) {
    shut_down_ = true;
    return socket_->shutdown_write();
  }

  IoResult<SocketAddr> peer_addr() const { return socket_->peer_addr(); }
  IoResult<SocketAddr> local_addr() const { return socket_->local_addr(); }

  void swap(OwnedWriteHalf& other) noexcept {
    std::swap(socket_, other.socket_);
    std::swap(shut_down_, other.shut_down_);
  }

 private:
  std::shared_ptr<Socket> socket_;
  bool shut_down_ = false;
};

}  // namespace wb::net
