// wb::net::Socket — a non-blocking socket registered with an I/O driver: the system calls of
// TcpStream, its halves and TcpListener, each answering Pending (and waiting for the fd's next
// edge) where the call would block. Failures are values (a std::error_code), never exceptions.
#pragma once

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <span>
#include <system_error>
#include <utility>

#include "wb/io/async_read.hpp"
#include "wb/io/io_driver.hpp"
#include "wb/net/socket_addr.hpp"

namespace wb::net {

/// errno as a std::error_code.
inline std::error_code last_error() { return {errno, std::system_category()}; }

class Socket {
 public:
  /// Registers `fd` (a non-blocking socket; the Socket owns it from now on) with the I/O driver
  /// of the runtime running on this thread.
  static IoResult<Socket> adopt(int fd,
                                IoDriver::Initially initially = IoDriver::Initially::ready) {
    IoDriver& driver = IoDriver::current();
    auto registration = driver.add(fd, initially);
    if (!registration) {
      ::close(fd);
      return unexpected(registration.error());
    }
    return Socket(driver.shared_from_this(), std::move(*registration));
  }

  Socket(Socket&& other) noexcept = default;
  Socket& operator=(Socket&& other) noexcept {
    Socket(std::move(other)).swap(*this);
    return *this;
  }
  ~Socket() {
    if (registration_) driver_->remove(std::move(registration_));
  }

  int fd() const noexcept { return registration_->fd(); }
  IoRegistration& registration() noexcept { return *registration_; }

  Poll<IoResult<std::size_t>> poll_read(Context& cx, std::span<char> buffer) {
    if (buffer.empty()) return IoResult<std::size_t>(0);
    return registration_->poll_io(Direction::read, cx,
                                  [&] { return ::recv(fd(), buffer.data(), buffer.size(), 0); });
  }

  Poll<IoResult<std::size_t>> poll_write(Context& cx, std::span<char const> bytes) {
    if (bytes.empty()) return IoResult<std::size_t>(0);
    return registration_->poll_io(Direction::write, cx, [&] {
      return ::send(fd(), bytes.data(), bytes.size(), MSG_NOSIGNAL);  // a reset is EPIPE, no signal
    });
  }

  /// Ends the write direction: the peer reads the end of the data once it has read the rest.
  IoResult<void> shutdown_write() {
    if (::shutdown(fd(), SHUT_WR) < 0) return unexpected(last_error());
    return {};
  }

  IoResult<void> set_nodelay(bool on) {
    int value = on ? 1 : 0;
    if (::setsockopt(fd(), IPPROTO_TCP, TCP_NODELAY, &value, sizeof value) < 0) {
      return unexpected(last_error());
    }
    return {};
  }
  IoResult<bool> nodelay() const {
    int value = 0;
    socklen_t size = sizeof value;
    if (::getsockopt(fd(), IPPROTO_TCP, TCP_NODELAY, &value, &size) < 0) {
      return unexpected(last_error());
    }
    return value != 0;
  }

  IoResult<SocketAddr> local_addr() const { return name_of(fd(), ::getsockname); }
  IoResult<SocketAddr> peer_addr() const { return name_of(fd(), ::getpeername); }

  void swap(Socket& other) noexcept {
    std::swap(driver_, other.driver_);
    std::swap(registration_, other.registration_);
  }

  /// getsockname or getpeername of `fd` as a SocketAddr.
  template <class Call>
  static IoResult<SocketAddr> name_of(int fd, Call call) {
    sockaddr_storage storage{};
    socklen_t size = sizeof storage;
    if (call(fd, reinterpret_cast<sockaddr*>(&storage), &size) < 0) {
      return unexpected(last_error());
    }
    return SocketAddr::from(storage);
  }

 private:
  Socket(std::shared_ptr<IoDriver> driver, std::shared_ptr<IoRegistration> registration)
      : driver_(std::move(driver)), registration_(std::move(registration)) {}

  std::shared_ptr<IoDriver> driver_;
  std::shared_ptr<IoRegistration> registration_;
};

}  // namespace wb::net
