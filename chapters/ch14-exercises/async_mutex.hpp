// Exercise: AsyncMutex<T> — an async mutex built from a wb::Semaphore of one permit. lock() is a
// future that waits (suspending the task, never blocking the thread) until the lock is free, and
// is Ready with a guard that gives access to the value; destroying the guard unlocks. Waiters
// are served first come, first served, and a lock() dropped while it waits gives up its place.
// Read book/src/ch14-exercises.md (exercise 4), then replace the WB_TODOs.
// Check your work with:  scripts/workbook check ch14
#pragma once

#include <memory>
#include <type_traits>
#include <utility>
#include <wb/core/contract.hpp>
#include <wb/sync/semaphore.hpp>
#include <wb/task/task.hpp>

template <class T>
class AsyncMutex;

// ANCHOR: stub
/// Access to the value of a locked AsyncMutex; destroying the guard unlocks it. A guard can be
/// moved (into a function, a container, another task): the lock goes with it and is given back
/// once, when the last owner is destroyed.
template <class T>
class [[nodiscard]] AsyncMutexGuard {
 public:
  T& operator*() const { WB_TODO("return the value this guard gives access to"); }
  T* operator->() const { WB_TODO("return a pointer to the value this guard gives access to"); }

 private:
  friend class AsyncMutex<T>;
  // Your members, and a constructor for lock() to call. What must a guard own so that the lock
  // is given back when the guard is destroyed — and only then, and only once?
};

template <class T>
class AsyncMutex {
 public:
  AsyncMutex() requires std::is_default_constructible_v<T> : AsyncMutex(T{}) {}
  explicit AsyncMutex(T value) : value_(std::make_shared<T>(std::move(value))) {}
  AsyncMutex(AsyncMutex const&) = delete;
  AsyncMutex& operator=(AsyncMutex const&) = delete;

  /// A future that is Ready with a guard once the lock is ours.
  wb::Task<AsyncMutexGuard<T>> lock() {
    WB_TODO(
        "wait for the semaphore's one permit (co_await permits_->acquire_owned()), then "
        "co_return a guard that owns that permit and gives access to *value_");
  }

 private:
  // One permit: whoever holds it holds the lock. Owned by a shared_ptr, so that
  // acquire_owned() can hand out permits that keep the semaphore alive.
  std::shared_ptr<wb::Semaphore> permits_ = std::make_shared<wb::Semaphore>(1);
  std::shared_ptr<T> value_;
};
// ANCHOR_END: stub
