// wb::RwLock<T> — an async reader-writer lock: any number of readers at once, or one writer
// alone. It is a Semaphore of max_permits: a reader takes one, a writer takes them all. The
// queue is first come, first served, so a waiting writer holds back the readers that come after
// it: readers cannot starve a writer.
#pragma once

#include <optional>
#include <utility>

#include "wb/core/future.hpp"
#include "wb/sync/semaphore.hpp"

namespace wb {

template <class T>
class RwLock;

/// Shared, read-only access; destroying the guard releases it.
template <class T>
class [[nodiscard]] RwLockReadGuard {
 public:
  RwLockReadGuard(RwLockReadGuard&&) noexcept = default;
  RwLockReadGuard& operator=(RwLockReadGuard&&) noexcept = default;
  T const& operator*() const noexcept { return *value_; }
  T const* operator->() const noexcept { return value_; }

 private:
  friend class RwLock<T>;
  RwLockReadGuard(SemaphorePermit permit, T const* value) noexcept
      : permit_(std::move(permit)), value_(value) {}
  SemaphorePermit permit_;
  T const* value_;
};

/// Exclusive access; destroying the guard releases it.
template <class T>
class [[nodiscard]] RwLockWriteGuard {
 public:
  RwLockWriteGuard(RwLockWriteGuard&&) noexcept = default;
  RwLockWriteGuard& operator=(RwLockWriteGuard&&) noexcept = default;
  T& operator*() const noexcept { return *value_; }
  T* operator->() const noexcept { return value_; }

 private:
  friend class RwLock<T>;
  RwLockWriteGuard(SemaphorePermit permit, T* value) noexcept
      : permit_(std::move(permit)), value_(value) {}
  SemaphorePermit permit_;
  T* value_;
};

template <class T>
class RwLock {
  static constexpr std::size_t all = Semaphore::max_permits;

 public:
  RwLock() requires std::is_default_constructible_v<T>
  = default;
  explicit RwLock(T value) : value_(std::move(value)) {}
  RwLock(RwLock const&) = delete;
  RwLock& operator=(RwLock const&) = delete;

  /// The future of read() or write(), Ready with the guard `Guard`.
  template <class Guard>
  class Acquire {
   public:
    using Output = Guard;
    Acquire(RwLock& lock, std::size_t permits)
        : lock_(&lock), acquire_(lock.permits_.acquire(permits)) {}
    Poll<Guard> poll(Context& cx) {
      auto permit = acquire_.poll(cx);
      if (permit.is_pending()) return pending;
      return Guard(std::move(permit).value().value(), &lock_->value_);  // never closed
    }

   private:
    RwLock* lock_;
    Semaphore::Acquire acquire_;
  };

  /// Waits until no writer holds or is queued before us, then shares the value.
  Acquire<RwLockReadGuard<T>> read() { return {*this, 1}; }
  /// Waits until nobody else holds the lock, then gives exclusive access.
  Acquire<RwLockWriteGuard<T>> write() { return {*this, all}; }

  std::optional<RwLockReadGuard<T>> try_read() {
    auto permit = permits_.try_acquire(1);
    if (!permit) return std::nullopt;
    return RwLockReadGuard<T>(std::move(permit).value(), &value_);
  }
  std::optional<RwLockWriteGuard<T>> try_write() {
    auto permit = permits_.try_acquire(all);
    if (!permit) return std::nullopt;
    return RwLockWriteGuard<T>(std::move(permit).value(), &value_);
  }

 private:
  Semaphore permits_{all};
  T value_{};
};

}  // namespace wb
