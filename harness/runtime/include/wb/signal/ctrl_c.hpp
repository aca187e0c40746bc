// wb::signal::ctrl_c() — a future that is Ready when the process receives SIGINT (Ctrl-C), read
// from a signalfd registered with the runtime's I/O driver, so waiting for it costs no thread.
// A signalfd only sees a signal that no thread takes the ordinary way: SIGINT must be blocked
// in every thread of the process. The runtime starts its own threads with it blocked; the
// program must block it in main before it starts any other thread (wb::signal::block_ctrl_c(),
// see block_ctrl_c.hpp). One SIGINT completes one waiting ctrl_c() future.
#pragma once

#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <memory>
#include <system_error>

#include "wb/core/address_check.hpp"
#include "wb/core/future.hpp"
#include "wb/io/async_read.hpp"
#include "wb/io/io_driver.hpp"
#include "wb/signal/block_ctrl_c.hpp"

namespace wb::signal {

class CtrlC {
 public:
  using Output = IoResult<void>;

  CtrlC() = default;
  CtrlC(CtrlC&& other) noexcept : registration_(std::move(other.registration_)) {}
  CtrlC& operator=(CtrlC&&) = delete;
  ~CtrlC() {
    if (registration_) driver_->remove(std::move(registration_));
  }

  Poll<Output> poll(Context& cx) {
    check_.on_poll(this);
    if (!registration_) {
      block_ctrl_c();  // this thread, at least; the others are the program's to block
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGINT);
      int fd = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
      if (fd < 0) return Output(unexpected(std::error_code(errno, std::system_category())));
      IoDriver& driver = IoDriver::current();
      auto registration = driver.add(fd);
      if (!registration) {
        ::close(fd);
        return Output(unexpected(registration.error()));
      }
      driver_ = driver.shared_from_this();
      registration_ = std::move(*registration);
    }
    signalfd_siginfo info;
    auto got = registration_->poll_io(
        Direction::read, cx, [&] { return ::read(registration_->fd(), &info, sizeof info); });
    if (got.is_pending()) return pending;
    auto result = std::move(got).value();
    if (!result) return Output(unexpected(result.error()));
    return Output();
  }

 private:
  std::shared_ptr<IoDriver> driver_;
  std::shared_ptr<IoRegistration> registration_;  // from the first poll
  [[no_unique_address]] AddressCheck check_;
};

/// Ready when the process receives SIGINT (see the top of this file).
inline CtrlC ctrl_c() { return CtrlC(); }

}  // namespace wb::signal
