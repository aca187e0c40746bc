// wb::Mutex<T> — an async mutex around a value of type T: `auto guard = co_await m.lock();`
// waits without blocking the thread, and the guard gives access to the value until it goes out
// of scope, which unlocks. Waiters get the lock first come, first served. It is a Semaphore of
// one permit; hold it across a co_await when you must (a std::mutex must not be), and prefer a
// std::mutex for short critical sections without awaits in them: it is cheaper.
#pragma once

#include <optional>
#include <utility>

#include "wb/core/address_check.hpp"
#include "wb/core/contract.hpp"
#include "wb/core/future.hpp"
#include "wb/sync/semaphore.hpp"

namespace wb {

template <class T>
class Mutex;

// ANCHOR: mutex_guard
/// Access to the value of a locked Mutex; destroying the guard unlocks it.
template <class T>
class [[nodiscard]] MutexGuard {
 public:
  MutexGuard(MutexGuard&&) noexcept = default;
  MutexGuard& operator=(MutexGuard&&) noexcept = default;

  T& operator*() const noexcept { return *value_; }
  T* operator->() const noexcept { return value_; }

 private:
  friend class Mutex<T>;
  MutexGuard(SemaphorePermit permit, T* value) noexcept
      : permit_(std::move(permit)), value_(value) {}
  SemaphorePermit permit_;  // the one permit: given back when the guard is destroyed
  T* value_;
};
// ANCHOR_END: mutex_guard

template <class T>
class Mutex {
 public:
  Mutex() requires std::is_default_constructible_v<T>
  = default;
  explicit Mutex(T value) : value_(std::move(value)) {}
  Mutex(Mutex const&) = delete;
  Mutex& operator=(Mutex const&) = delete;

  /// The future of lock(): Ready with the guard once the lock is ours.
  class Lock {
   public:
    using Output = MutexGuard<T>;
    explicit Lock(Mutex& mutex) : mutex_(&mutex), acquire_(mutex.permit_.acquire()) {}

    Poll<MutexGuard<T>> poll(Context& cx) {
      auto permit = acquire_.poll(cx);
      if (permit.is_pending()) return pending;
      return MutexGuard<T>(std::move(permit).value().value(), &mutex_->value_);  // never closed
    }

   private:
    Mutex* mutex_;
    Semaphore::Acquire acquire_;
  };

  /// Waits for the lock; waiters are served in the order they first polled.
  Lock lock() { return Lock(*this); }

  /// The lock if it is free and nobody is waiting for it, else nothing.
  std::optional<MutexGuard<T>> try_lock() {
    auto permit = permit_.try_acquire();
    if (!permit) return std::nullopt;
    return MutexGuard<T>(std::move(permit).value(), &value_);
  }

 private:
  Semaphore permit_{1};
  T value_{};
};

}  // namespace wb
