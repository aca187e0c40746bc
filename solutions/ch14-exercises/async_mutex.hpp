// Reference solution: AsyncMutex<T> — a semaphore of one permit and a value. lock() waits in
// the semaphore's first-come-first-served queue; its guard owns the permit, so the lock is given
// back exactly once, when the guard that holds it last is destroyed.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>
#include <wb/core/contract.hpp>
#include <wb/sync/semaphore.hpp>
#include <wb/task/task.hpp>

template <class T>
class AsyncMutex;

// ANCHOR: guard
/// Access to the value of a locked AsyncMutex; destroying the guard unlocks it.
template <class T>
class [[nodiscard]] AsyncMutexGuard {
 public:
  T& operator*() const noexcept { return *value_; }
  T* operator->() const noexcept { return value_.get(); }

 private:
  friend class AsyncMutex<T>;
  AsyncMutexGuard(std::shared_ptr<T> value, wb::OwnedSemaphorePermit permit) noexcept
      : value_(std::move(value)), permit_(std::move(permit)) {}

  std::shared_ptr<T> value_;
  // The one permit. The permit's own move leaves the moved-from guard with none, so a guard
  // moved to a new owner gives the lock back once, when the new owner is destroyed.
  wb::OwnedSemaphorePermit permit_;
};
// ANCHOR_END: guard

template <class T>
class AsyncMutex {
 public:
  AsyncMutex() requires std::is_default_constructible_v<T> : AsyncMutex(T{}) {}
  explicit AsyncMutex(T value) : value_(std::make_shared<T>(std::move(value))) {}
  AsyncMutex(AsyncMutex const&) = delete;
  AsyncMutex& operator=(AsyncMutex const&) = delete;

  // ANCHOR: lock
  /// A future that is Ready with the guard once the lock is ours. Waiters are served in the
  /// order they first polled; dropping a waiting lock() destroys its acquire future, which
  /// leaves the queue (or hands on a permit it was given but never took).
  wb::Task<AsyncMutexGuard<T>> lock() {
    auto permit = co_await permits_->acquire_owned();
    if (!permit) throw wb::ContractViolation("an AsyncMutex's semaphore was closed");
    co_return AsyncMutexGuard<T>(value_, std::move(*permit));
  }
  // ANCHOR_END: lock

 private:
  std::shared_ptr<wb::Semaphore> permits_ = std::make_shared<wb::Semaphore>(1);
  std::shared_ptr<T> value_;
};
