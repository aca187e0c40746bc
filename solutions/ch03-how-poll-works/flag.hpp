// Reference solution: wait_for_flag — a flag set by another thread, awaited through wb::poll_fn.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <wb/core/poll_fn.hpp>

namespace ex {

// ANCHOR: flag
class Flag {
 public:
  void set() {
    std::optional<wb::Waker> waiting;
    {
      std::lock_guard lock(mutex_);
      is_set_ = true;
      waiting.swap(waker_);
    }
    // Wake outside the lock: waking may run the executor's code, which may poll us at once, on
    // this thread or another, and that poll takes the lock.
    if (waiting) std::move(*waiting).wake();
  }

 private:
  friend auto wait_for_flag(std::shared_ptr<Flag> flag);

  std::mutex mutex_;
  bool is_set_ = false;
  std::optional<wb::Waker> waker_;
};

inline auto wait_for_flag(std::shared_ptr<Flag> flag) {
  return wb::poll_fn([flag = std::move(flag)](wb::Context& cx) -> wb::Poll<void> {
    std::lock_guard lock(flag->mutex_);
    if (flag->is_set_) return wb::Poll<void>::ready();  // checked on every poll, spurious or not
    // Keep the newest waker; skip the copy when it would wake the same task anyway.
    if (!flag->waker_ || !flag->waker_->will_wake(cx.waker())) flag->waker_ = cx.waker();
    return wb::pending;
  });
}
// ANCHOR_END: flag

}  // namespace ex
