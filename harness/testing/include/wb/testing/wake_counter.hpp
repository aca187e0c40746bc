// wb::testing::WakeCounter — the target of a waker that a test holds itself: it counts the wakes
// and lets the test wait (with a deadline) until a given number has arrived, from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>

#include "wb/core/waker.hpp"

namespace wb::testing {

class WakeCounter : public std::enable_shared_from_this<WakeCounter> {
 public:
  /// Make with std::make_shared: the wakers share ownership of the counter.
  static std::shared_ptr<WakeCounter> make() { return std::make_shared<WakeCounter>(); }

  /// A new waker whose wakes this counter counts.
  Waker waker() { return waker_from(shared_from_this()); }

  void wake() {
    {
      std::lock_guard lock(mutex_);
      ++wakes_;
    }
    changed_.notify_all();
  }

  std::size_t wakes() const {
    std::lock_guard lock(mutex_);
    return wakes_;
  }

  /// Waits until at least `count` wakes have arrived; false when `limit` passes first.
  bool wait_for(std::size_t count, std::chrono::milliseconds limit) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [&] { return wakes_ >= count; });
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t wakes_ = 0;
};

}  // namespace wb::testing
