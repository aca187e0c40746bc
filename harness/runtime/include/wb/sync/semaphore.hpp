// wb::Semaphore — a count of permits that futures acquire and give back, waiting (without
// blocking a thread) while too few are free. Waiters are served strictly first come, first
// served: a large request at the head of the queue is not overtaken by small ones behind it.
// A permit is an RAII object that gives its permits back when destroyed; an owned permit keeps
// the semaphore itself alive, so it can travel into a spawned task. close() fails every waiter
// and every later acquire with wb::Closed. Mutex and RwLock are built on it.
#pragma once

#include <cstddef>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>

#include "wb/core/address_check.hpp"
#include "wb/core/contract.hpp"
#include "wb/core/expected.hpp"
#include "wb/core/future.hpp"
#include "wb/sync/errors.hpp"
#include "wb/sync/wait_list.hpp"

namespace wb {

class Semaphore;

/// Permits borrowed from a semaphore that outlives them; destroying the permit gives them back.
class [[nodiscard]] SemaphorePermit {
 public:
  SemaphorePermit(SemaphorePermit&& other) noexcept
      : semaphore_(std::exchange(other.semaphore_, nullptr)),
        count_(std::exchange(other.count_, 0)) {}
  SemaphorePermit& operator=(SemaphorePermit&& other) noexcept {
    SemaphorePermit(std::move(other)).swap(*this);
    return *this;
  }
  ~SemaphorePermit();

  std::size_t count() const noexcept { return count_; }
  /// Keeps the permits out of the semaphore for good (they are not given back).
  void forget() noexcept {
    semaphore_ = nullptr;
    count_ = 0;
  }
  void swap(SemaphorePermit& other) noexcept {
    std::swap(semaphore_, other.semaphore_);
    std::swap(count_, other.count_);
  }

 private:
  friend class Semaphore;
  SemaphorePermit(Semaphore* semaphore, std::size_t count) noexcept
      : semaphore_(semaphore), count_(count) {}
  Semaphore* semaphore_;
  std::size_t count_;
};

/// Permits that share ownership of their semaphore: safe to move into a spawned task.
class [[nodiscard]] OwnedSemaphorePermit {
 public:
  OwnedSemaphorePermit(OwnedSemaphorePermit&& other) noexcept
      : semaphore_(std::move(other.semaphore_)), count_(std::exchange(other.count_, 0)) {}
  OwnedSemaphorePermit& operator=(OwnedSemaphorePermit&& other) noexcept {
    OwnedSemaphorePermit(std::move(other)).swap(*this);
    return *this;
  }
  ~OwnedSemaphorePermit();

  std::size_t count() const noexcept { return count_; }
  void forget() noexcept {
    semaphore_.reset();
    count_ = 0;
  }
  void swap(OwnedSemaphorePermit& other) noexcept {
    std::swap(semaphore_, other.semaphore_);
    std::swap(count_, other.count_);
  }

 private:
  friend class Semaphore;
  OwnedSemaphorePermit(std::shared_ptr<Semaphore> semaphore, std::size_t count) noexcept
      : semaphore_(std::move(semaphore)), count_(count) {}
  std::shared_ptr<Semaphore> semaphore_;
  std::size_t count_;
};

class Semaphore : public std::enable_shared_from_this<Semaphore> {
 public:
  /// The most permits a semaphore can hold (RwLock uses this many for a writer).
  static constexpr std::size_t max_permits = std::numeric_limits<std::size_t>::max() >> 3;

  explicit Semaphore(std::size_t permits) : permits_(permits) {
    if (permits > max_permits) throw ContractViolation("a Semaphore cannot hold that many permits");
  }
  Semaphore(Semaphore const&) = delete;
  Semaphore& operator=(Semaphore const&) = delete;

  template <class Ref>
  class BasicAcquire;
  /// The future of acquire(): Ready with a SemaphorePermit, or Closed.
  using Acquire = BasicAcquire<Semaphore*>;
  /// The future of acquire_owned(): Ready with an OwnedSemaphorePermit, or Closed.
  using AcquireOwned = BasicAcquire<std::shared_ptr<Semaphore>>;

  /// Waits for `count` permits (the semaphore must outlive the permit).
  Acquire acquire(std::size_t count = 1);

  /// Waits for `count` permits that keep the semaphore alive. The semaphore must be owned by a
  /// std::shared_ptr (std::make_shared<wb::Semaphore>(n)).
  AcquireOwned acquire_owned(std::size_t count = 1);

  /// Takes `count` permits if they are free and nobody is queued before us.
  Expected<SemaphorePermit, TryAcquireError> try_acquire(std::size_t count = 1) {
    if (auto error = try_take(checked(count))) return unexpected(*error);
    return SemaphorePermit(this, count);
  }
  Expected<OwnedSemaphorePermit, TryAcquireError> try_acquire_owned(std::size_t count = 1) {
    auto self = shared();
    if (auto error = try_take(checked(count))) return unexpected(*error);
    return OwnedSemaphorePermit(std::move(self), count);
  }

  /// Adds permits, serving the queue first.
  void add_permits(std::size_t count) { release(count); }

  /// Fails every queued acquire and every later one with Closed. Permits already held stay
  /// valid and are given back as usual.
  void close() {
    WakeList wakes;
    std::unique_lock lock(mutex_);
    closed_ = true;
    waiters_.drain(lock, wakes, [](Waiter& waiter) {
      waiter.closed = true;
      return true;
    });
  }

  bool is_closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
  }
  std::size_t available_permits() const {
    std::lock_guard lock(mutex_);
    return permits_;
  }

 private:
  template <class>
  friend class BasicAcquire;
  friend class SemaphorePermit;
  friend class OwnedSemaphorePermit;

  struct Waiter : wb::Waiter {
    std::size_t needed = 0;
    bool started = false;  // has been polled: either served at once or queued
    bool granted = false;  // its permits are taken out for it
    bool closed = false;
  };

  static std::size_t checked(std::size_t count) {
    if (count > max_permits) throw ContractViolation("asked a Semaphore for more than max_permits");
    return count;
  }
  std::shared_ptr<Semaphore> shared() {
    auto self = weak_from_this().lock();
    if (!self) {
      throw ContractViolation(
          "an owned permit needs a Semaphore owned by a std::shared_ptr: make it with "
          "std::make_shared<wb::Semaphore>(n)");
    }
    return self;
  }

  std::optional<TryAcquireError> try_take(std::size_t count) {
    std::lock_guard lock(mutex_);
    if (closed_) return TryAcquireError::closed;
    if (!waiters_.empty() || permits_ < count) return TryAcquireError::no_permits;
    permits_ -= count;
    return std::nullopt;
  }

  // ANCHOR: poll_acquire
  /// Ready(true) once the permits are the waiter's, Ready(false) when closed.
  Poll<bool> poll_acquire(Waiter& waiter, Context& cx) {
    std::optional<Waker> replaced;  // released after the lock (the waker rule, core/waker.hpp)
    std::lock_guard lock(mutex_);
    if (waiter.granted) return true;
    if (waiter.closed) return false;
    if (!waiter.started) {
      waiter.started = true;
      if (closed_) {
        waiter.closed = true;
        return false;
      }
      // Nobody queued and enough free: take them. Otherwise join the back of the queue, even
      // if enough are free, so that nobody overtakes a waiter already there.
      if (waiters_.empty() && permits_ >= waiter.needed) {
        permits_ -= waiter.needed;
        waiter.granted = true;
        return true;
      }
      waiters_.push_back(waiter);
    }
    replaced = waiter.set_waker(cx.waker());
    return pending;
  }

  /// Gives permits back and hands them on to the waiters at the head of the queue.
  void release(std::size_t count) {
    WakeList wakes;  // woken after the lock is released (declared first, destroyed last)
    std::unique_lock lock(mutex_);
    permits_ += count;
    serve_queue(lock, wakes);
  }

  void serve_queue(std::unique_lock<std::mutex>& lock, WakeList& wakes) {
    waiters_.drain(lock, wakes, [this](Waiter& head) {
      if (head.needed > permits_) return false;  // strict FIFO: nobody behind it goes first
      permits_ -= head.needed;
      head.granted = true;
      return true;
    });
  }
  // ANCHOR_END: poll_acquire

  /// A waiting future was dropped before it returned its permits: take it out of the queue, or
  /// give back the permits it was granted but never received.
  void cancel(Waiter& waiter) {
    WakeList wakes;
    std::unique_lock lock(mutex_);
    if (waiter.queued) {
      waiters_.remove(waiter);  // the waiter behind it may be servable now
    } else if (waiter.granted) {
      permits_ += waiter.needed;
    } else {
      return;
    }
    serve_queue(lock, wakes);
  }

  mutable std::mutex mutex_;
  std::size_t permits_;
  bool closed_ = false;
  WaitList<Waiter> waiters_;
};

/// The future of acquire() / acquire_owned(). It may be moved until its first poll only.
template <class Ref>
class Semaphore::BasicAcquire {
  static constexpr bool owned = std::is_same_v<Ref, std::shared_ptr<Semaphore>>;

 public:
  using Permit = std::conditional_t<owned, OwnedSemaphorePermit, SemaphorePermit>;
  using Output = Expected<Permit, Closed>;

  BasicAcquire(Ref semaphore, std::size_t count) : semaphore_(std::move(semaphore)) {
    waiter_.needed = count;
  }
  BasicAcquire(BasicAcquire&& other) : semaphore_(other.semaphore_) {
    if (other.waiter_.started) {
      throw ContractViolation("a Semaphore acquire future was moved after its first poll");
    }
    waiter_.needed = other.waiter_.needed;
  }
  BasicAcquire& operator=(BasicAcquire&&) = delete;
  ~BasicAcquire() {
    if (semaphore_ && waiter_.started && !done_) semaphore_->cancel(waiter_);
  }

  Poll<Output> poll(Context& cx) {
    check_.on_poll(this);
    if (done_) throw ContractViolation("a Semaphore acquire was polled after it returned Ready");
    auto acquired = semaphore_->poll_acquire(waiter_, cx);
    if (acquired.is_pending()) return pending;
    done_ = true;
    if (!acquired.value()) return Output(unexpected(Closed{}));
    if constexpr (owned) {
      return Output(Permit(std::move(semaphore_), waiter_.needed));
    } else {
      return Output(Permit(semaphore_, waiter_.needed));
    }
  }

 private:
  Ref semaphore_;
  Semaphore::Waiter waiter_;
  bool done_ = false;
  [[no_unique_address]] AddressCheck check_;
};

inline Semaphore::Acquire Semaphore::acquire(std::size_t count) {
  return Acquire(this, checked(count));
}

inline Semaphore::AcquireOwned Semaphore::acquire_owned(std::size_t count) {
  return AcquireOwned(shared(), checked(count));
}

inline SemaphorePermit::~SemaphorePermit() {
  if (semaphore_ && count_ > 0) semaphore_->release(count_);
}

inline OwnedSemaphorePermit::~OwnedSemaphorePermit() {
  if (semaphore_ && count_ > 0) semaphore_->release(count_);
}

}  // namespace wb
