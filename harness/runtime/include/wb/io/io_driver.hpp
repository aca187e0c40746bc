// wb::IoDriver — readiness of file descriptors from one epoll instance: for each registered fd a
// record of what it is ready for and the newest waker of its read side and of its write side.
// An executor's park() turns it (one epoll_wait whose timeout is the next timer's deadline);
// an eventfd lets another thread cut that wait short.
//
// Edge-triggered (EPOLLET). The kernel reports an fd once each time it *becomes* ready, and the
// record remembers it: "readable" stays set until an operation on the fd meets EAGAIN, and only
// then is it cleared and the waker stored. So a socket with data pending is read until it is
// empty without asking epoll again, and an epoll_wait returns only news. The price is the rule
// "clear only on EAGAIN": stop reading early and no new edge will come for the bytes left over
// (the record still says readable, so the next read finds them — what matters is that nothing
// clears it before EAGAIN). A clear also carries the count of events seen when the operation
// began, so an edge that arrives between the EAGAIN and the clear is not erased (see tick).
// Level-triggered epoll would report a readable fd at *every* epoll_wait until it is drained:
// simpler to reason about, but a socket whose reader is busy elsewhere (or whose task is not
// polled for a while) wakes every idle thread again and again, and each wait returns the same
// fds — busy-polling through the kernel. With several threads taking turns at epoll_wait,
// level-triggered would also wake the same task repeatedly for one piece of data.
#pragma once

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "wb/core/future.hpp"
#include "wb/core/waker.hpp"
#include "wb/io/async_read.hpp"
#include "wb/time/clock.hpp"

namespace wb {

/// Which half of an fd an operation uses: reads wait for "readable", writes (and connect) for
/// "writable".
enum class Direction { read, write };

/// What the driver knows of one registered fd. Shared by the socket that owns the fd and,
/// until the next epoll_wait after the fd is deregistered, by the driver (whose events point
/// at it).
class IoRegistration {
 public:
  IoRegistration(IoRegistration const&) = delete;
  IoRegistration& operator=(IoRegistration const&) = delete;
  ~IoRegistration() {
    if (fd_ >= 0) ::close(fd_);
  }

  int fd() const noexcept { return fd_; }

  /// Ready (with the event count it saw) when the fd is known to be ready for `direction`;
  /// otherwise stores the waker as the newest of that side and answers Pending.
  std::optional<std::uint64_t> poll_ready(Direction direction, Context& cx) {
    std::optional<Waker> replaced;  // dropped after the lock: see the note on wakers below
    std::lock_guard lock(mutex_);
    if (ready_ & bit(direction)) return tick_;
    std::optional<Waker>& slot = direction == Direction::read ? reader_ : writer_;
    if (!slot || !slot->will_wake(cx.waker())) {
      replaced = std::exchange(slot, cx.waker());
    }
    return std::nullopt;
  }

  /// An operation that began when `tick` events had been seen met EAGAIN: forget that the fd
  /// is ready, unless an event arrived since.
  void clear_ready(Direction direction, std::uint64_t tick) {
    std::lock_guard lock(mutex_);
    if (tick_ == tick) ready_ &= ~bit(direction);
  }

  // ANCHOR: poll_io
  /// Runs `op` (a non-blocking system call returning -1 and errno on failure) once the fd is
  /// ready for `direction`; on EAGAIN clears the readiness and waits for the next edge.
  template <class Op>
  Poll<IoResult<std::size_t>> poll_io(Direction direction, Context& cx, Op op) {
    for (;;) {
      std::optional<std::uint64_t> tick = poll_ready(direction, cx);
      if (!tick) return pending;
      long const result = op();
      if (result >= 0) return IoResult<std::size_t>(static_cast<std::size_t>(result));
      int const error = errno;
      if (error == EINTR) continue;
      if (error == EAGAIN || error == EWOULDBLOCK) {
        clear_ready(direction, *tick);
        continue;  // registers the waker, unless an edge came in between
      }
      return unexpected(std::error_code(error, std::system_category()));
    }
  }
  // ANCHOR_END: poll_io

 private:
  friend class IoDriver;
  static constexpr std::uint32_t readable = 1;
  static constexpr std::uint32_t writable = 2;
  static std::uint32_t bit(Direction direction) noexcept {
    return direction == Direction::read ? readable : writable;
  }

  IoRegistration(int fd, std::uint32_t ready) noexcept : fd_(fd), ready_(ready) {}

  int fd_;
  std::mutex mutex_;  // guards the rest
  std::uint32_t ready_;
  std::uint64_t tick_ = 0;  // events seen so far
  std::optional<Waker> reader_;
  std::optional<Waker> writer_;
};

class IoDriver : public std::enable_shared_from_this<IoDriver> {
 public:
  IoDriver()
      : epoll_(::epoll_create1(EPOLL_CLOEXEC)), wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (epoll_ < 0 || wake_fd_ < 0) throw std::system_error(errno, std::system_category(), "epoll");
    epoll_event event{};
    event.events = EPOLLIN | EPOLLET;
    event.data.ptr = nullptr;  // the eventfd: no registration
    if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_fd_, &event) < 0) {
      throw std::system_error(errno, std::system_category(), "epoll_ctl(eventfd)");
    }
  }
  IoDriver(IoDriver const&) = delete;
  IoDriver& operator=(IoDriver const&) = delete;
  ~IoDriver() {
    ::close(wake_fd_);
    ::close(epoll_);
  }

  /// What an fd is taken to be ready for when registered.
  enum class Initially {
    ready,      // try the operation first (a fresh socket, a listener): EAGAIN finds out
    not_ready,  // wait for the first event (a connect in progress)
  };

  /// Registers `fd` (non-blocking; the registration owns it from now on and closes it).
  IoResult<std::shared_ptr<IoRegistration>> add(int fd, Initially initially = Initially::ready) {
    std::uint32_t const ready =
        initially == Initially::ready ? IoRegistration::readable | IoRegistration::writable : 0;
    std::shared_ptr<IoRegistration> registration(new IoRegistration(fd, ready));
    epoll_event event{};
    event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    event.data.ptr = registration.get();
    if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &event) < 0) {
      return unexpected(std::error_code(errno, std::system_category()));
    }
    registrations_.fetch_add(1, std::memory_order_relaxed);
    return registration;
  }

  /// Stops watching the fd and closes it. An epoll_wait running now may still return an event
  /// that points at the record, so the driver keeps it until its next turn begins.
  void remove(std::shared_ptr<IoRegistration> registration) {
    if (!registration) return;
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, registration->fd_, nullptr);
    ::close(std::exchange(registration->fd_, -1));
    registrations_.fetch_sub(1, std::memory_order_relaxed);
    std::optional<Waker> reader, writer;  // a task's last reference: dropped after the lock
    {
      std::lock_guard lock(registration->mutex_);
      reader = std::move(registration->reader_);
      writer = std::move(registration->writer_);
      registration->reader_.reset();
      registration->writer_.reset();
    }
    std::lock_guard lock(released_mutex_);
    released_.push_back(std::move(registration));
  }

  /// How many fds are registered now.
  std::size_t registrations() const noexcept {
    return registrations_.load(std::memory_order_relaxed);
  }

  // --- Waiting: one thread at a time ---

  /// Announces a turn that may block: from now until it ends, wake_if_waiting() writes the
  /// eventfd. Called before the caller reads the deadline it will wait for, so that a timer
  /// registered after that read is never slept through.
  void begin_wait() noexcept { waiting_.store(true, std::memory_order_seq_cst); }

  /// Waits for events for at most `timeout` (forever when empty; zero: only looks), wakes the
  /// wakers of every fd that became ready, and returns how many it woke.
  std::size_t turn(std::optional<Duration> timeout) {
    std::lock_guard turning(turn_mutex_);
    {
      std::vector<std::shared_ptr<IoRegistration>> released;  // no event can point at these now
      std::lock_guard lock(released_mutex_);
      released.swap(released_);
    }
    int timeout_ms = -1;
    if (timeout) {
      auto ms = std::chrono::ceil<std::chrono::milliseconds>(*timeout).count();
      timeout_ms = ms <= 0 ? 0 : ms > 3'600'000 ? 3'600'000 : static_cast<int>(ms);
    }
    if (timeout_ms != 0) begin_wait();  // (also covers callers that did not announce the wait)
    int const count = ::epoll_wait(epoll_, events_, max_events, timeout_ms);
    waiting_.store(false, std::memory_order_seq_cst);
    if (count <= 0) return 0;
    std::vector<Waker>& wakes = wakes_;
    for (int i = 0; i < count; ++i) {
      auto* registration = static_cast<IoRegistration*>(events_[i].data.ptr);
      if (registration == nullptr) {  // the eventfd: reset it for the next wake()
        std::uint64_t value;
        [[maybe_unused]] auto ignored = ::read(wake_fd_, &value, sizeof value);
        continue;
      }
      std::uint32_t const flags = events_[i].events;
      std::uint32_t ready = 0;
      if (flags & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) ready |= IoRegistration::readable;
      if (flags & (EPOLLOUT | EPOLLHUP | EPOLLERR)) ready |= IoRegistration::writable;
      std::lock_guard lock(registration->mutex_);
      registration->ready_ |= ready;
      ++registration->tick_;
      if ((ready & IoRegistration::readable) && registration->reader_) {
        wakes.push_back(std::move(*registration->reader_));
        registration->reader_.reset();
      }
      if ((ready & IoRegistration::writable) && registration->writer_) {
        wakes.push_back(std::move(*registration->writer_));
        registration->writer_.reset();
      }
    }
    std::size_t const woken = wakes.size();
    for (auto& waker : wakes) std::move(waker).wake();
    wakes.clear();
    return woken;
  }

  /// Ends a turn that is waiting, or makes the next one return at once. Any thread may call it.
  void wake() noexcept {
    std::uint64_t const one = 1;
    [[maybe_unused]] auto ignored = ::write(wake_fd_, &one, sizeof one);
  }

  /// wake(), but only if a turn is (or is about to be) waiting: the cheap way to say "the
  /// deadline you wait for has changed".
  void wake_if_waiting() noexcept {
    if (waiting_.load(std::memory_order_seq_cst)) wake();
  }

  // --- Which driver a socket uses ---

  /// The I/O driver of the runtime this thread is running; outside any runtime, a process-wide
  /// driver turned by a thread of its own, so that sockets also work under block_on.
  static IoDriver& current();

  /// While alive, makes `driver` the current one on this thread.
  class Enter {
   public:
    explicit Enter(IoDriver& driver) : previous_(std::exchange(current_slot(), &driver)) {}
    ~Enter() { current_slot() = previous_; }
    Enter(Enter const&) = delete;
    Enter& operator=(Enter const&) = delete;

   private:
    IoDriver* previous_;
  };

 private:
  static IoDriver*& current_slot() {
    static thread_local IoDriver* current = nullptr;
    return current;
  }

  static constexpr int max_events = 256;

  int epoll_;
  int wake_fd_;
  std::atomic<bool> waiting_{false};
  std::atomic<std::size_t> registrations_{0};
  std::mutex turn_mutex_;  // one turn at a time; guards events_ and wakes_
  epoll_event events_[max_events];
  std::vector<Waker> wakes_;
  std::mutex released_mutex_;
  std::vector<std::shared_ptr<IoRegistration>> released_;
};

inline IoDriver& IoDriver::current() {
  if (IoDriver* driver = current_slot()) return *driver;
  // Made once and never destroyed: its thread turns it until the process ends.
  static IoDriver* const background = [] {
    auto driver = std::make_shared<IoDriver>();
    std::thread([driver] {
      for (;;) driver->turn(std::nullopt);
    }).detach();
    return driver.get();
  }();
  return *background;
}

}  // namespace wb
