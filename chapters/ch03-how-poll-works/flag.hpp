// Exercise: wait_for_flag — turn a flag that another thread sets into a future, with wb::poll_fn
// and no future class of your own. The flag keeps the waker of the future waiting for it; set()
// marks it set and wakes that waker.
// Read book/src/ch03-how-poll-works.md ("poll_fn"), then replace each WB_TODO.
// Check your work with:  scripts/workbook check ch03
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <wb/core/contract.hpp>
#include <wb/core/poll_fn.hpp>

namespace ex {

/// A one-shot signal between threads: set() once from any thread; one future waits for it.
class Flag {
 public:
  /// Mark the flag set and wake the waiting future, if there is one. Called from any thread.
  void set() {
    WB_TODO(
        "under mutex_: set is_set_ and take the stored waker out of waker_; then, after the lock "
        "is released, wake it (if there was one)");
  }

 private:
  friend auto wait_for_flag(std::shared_ptr<Flag> flag);

  std::mutex mutex_;  // guards both fields: set() and poll run on any thread
  bool is_set_ = false;
  std::optional<wb::Waker> waker_;  // the waker of the newest poll that found the flag clear
};

/// A future (made with wb::poll_fn) that is Ready, with no value, once the flag is set.
inline auto wait_for_flag(std::shared_ptr<Flag> flag) {
  return wb::poll_fn([flag = std::move(flag)](wb::Context& cx) -> wb::Poll<void> {
    (void)cx;
    WB_TODO(
        "under flag->mutex_: if flag->is_set_ return wb::Poll<void>::ready(); otherwise store "
        "cx.waker() in flag->waker_ (on every poll: it may be a new waker) and return wb::pending");
  });
}

}  // namespace ex
