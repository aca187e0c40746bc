// wb::Parker — puts a thread to sleep until another thread unparks it. An unpark that arrives
// before park() is remembered, so the wake-up cannot be lost between "Pending" and "sleep".
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace wb {

// ANCHOR: parker
class Parker {
 public:
  /// Sleep until unpark() is called; return at once if it already was since the last park.
  void park() {
    std::unique_lock lock(mutex_);
    unparked_.wait(lock, [&] { return token_; });
    token_ = false;
  }

  /// Like park(), giving up at `deadline`. Returns false when it gave up.
  template <class Clock, class Duration>
  bool park_until(std::chrono::time_point<Clock, Duration> deadline) {
    std::unique_lock lock(mutex_);
    if (!unparked_.wait_until(lock, deadline, [&] { return token_; })) return false;
    token_ = false;
    return true;
  }

  void unpark() {
    {
      std::lock_guard lock(mutex_);
      token_ = true;
    }
    unparked_.notify_one();
  }

  /// Lets a Parker be the target of wb::waker_from.
  void wake() { unpark(); }

 private:
  std::mutex mutex_;
  std::condition_variable unparked_;
  bool token_ = false;  // the token: set by unpark, consumed by park
};
// ANCHOR_END: parker

}  // namespace wb
