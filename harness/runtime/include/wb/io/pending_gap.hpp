// wb::PendingGap — the pause an in-memory test double makes before it delivers (or accepts) the
// next piece of data, the way a socket sometimes has nothing yet: Pending once, with the waker
// woken at once or from another thread a moment later. ChunkedReader and the writing doubles of
// wb::testing share it, so each of them wakes exactly the newest waker after a Pending.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "wb/core/context.hpp"
#include "wb/core/waker.hpp"

namespace wb {

class PendingGap {
 public:
  /// What happens before each delivery.
  enum class Kind {
    none,              // the data is there at once
    wake_at_once,      // Pending once, having woken its waker already
    wake_from_thread,  // Pending until a thread wakes the newest waker after a short delay
  };

  explicit PendingGap(Kind kind = Kind::none,
                      std::chrono::microseconds delay = std::chrono::microseconds(200))
      : kind_(kind), delay_(delay) {}

  /// True once the gap before the next delivery is over (and then the next gap is armed);
  /// false means: answer Pending, a wake-up is arranged.
  bool passed(Context& cx) {
    switch (kind_) {
      case Kind::none:
        return true;
      case Kind::wake_at_once:
        if (std::exchange(waited_, false)) return true;
        waited_ = true;
        cx.waker().wake_by_ref();
        return false;
      case Kind::wake_from_thread:
        return thread_gap_passed(cx);
    }
    return true;
  }

  Kind kind() const noexcept { return kind_; }

 private:
  // Shared with the thread of a gap, which may outlive the gap's owner.
  struct ThreadGap {
    std::mutex mutex;
    bool over = false;
    std::optional<Waker> waker;
  };

  bool thread_gap_passed(Context& cx) {
    if (!thread_gap_) {
      thread_gap_ = std::make_shared<ThreadGap>();
      thread_gap_->waker = cx.waker();
      std::thread([state = thread_gap_, delay = delay_] {
        std::this_thread::sleep_for(delay);
        std::optional<Waker> to_wake;
        {
          std::lock_guard lock(state->mutex);
          state->over = true;
          to_wake.swap(state->waker);
        }
        if (to_wake) std::move(*to_wake).wake();
      }).detach();
      return false;
    }
    std::optional<Waker> replaced;  // released after the lock (the waker rule, core/waker.hpp)
    {
      std::lock_guard lock(thread_gap_->mutex);
      if (!thread_gap_->over) {
        replaced = replace_waker(thread_gap_->waker, cx.waker());  // the newest is woken
        return false;
      }
    }
    thread_gap_.reset();
    return true;
  }

  Kind kind_;
  std::chrono::microseconds delay_;
  bool waited_ = false;                    // wake_at_once: the Pending of this gap was given
  std::shared_ptr<ThreadGap> thread_gap_;  // wake_from_thread: the gap in progress
};

}  // namespace wb
