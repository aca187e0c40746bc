// wb::yield_now — a future that is Pending exactly once (waking itself) and then Ready.
// Awaiting it hands the executor thread to other tasks in the middle of long work.
#pragma once

#include "wb/core/future.hpp"

namespace wb {

// ANCHOR: yield_now
class YieldNow {
 public:
  using Output = void;

  Poll<void> poll(Context& cx) {
    if (yielded_) return Poll<void>::ready();
    yielded_ = true;
    cx.waker().wake_by_ref();  // ask to be polled again right away
    return pending;
  }

 private:
  bool yielded_ = false;
};

inline YieldNow yield_now() { return {}; }
// ANCHOR_END: yield_now

}  // namespace wb
