// wb::coarse_now and wb::PollStamp — cheap readings of the runtime's clock, for the time of a
// task's latest poll that wb::dump_tasks shows.
#pragma once

#include <time.h>

#include <chrono>

#include "wb/time/clock.hpp"
#include "wb/time/timer_driver.hpp"

namespace wb {

/// The time on the clock of the runtime of this thread, cheaply: virtual time exactly, real
/// time from the kernel's coarse monotonic clock (the clock of std::chrono::steady_clock, to a
/// few milliseconds), which costs a few nanoseconds where steady_clock::now() costs tens.
inline Instant coarse_now() noexcept {
  Clock const& clock = TimerDriver::current().clock();
  if (clock.is_virtual()) return clock.now();
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
  return Instant(std::chrono::duration_cast<Duration>(std::chrono::seconds(now.tv_sec) +
                                                      std::chrono::nanoseconds(now.tv_nsec)));
}

/// When the executor on this thread began its current batch of polls: the time a task records
/// as its latest poll (for wb::dump_tasks). Reading a clock at every poll would cost a spawned
/// task more than the rest of its bookkeeping, so executors refresh this once per batch and
/// after every wait; a poll's time is then exact in virtual time (the clock moves only while
/// the executor waits) and early by at most one batch in real time.
class PollStamp {
 public:
  static void refresh() noexcept { slot() = coarse_now(); }
  static Instant get() noexcept {
    Instant const stamp = slot();
    return stamp == Instant{} ? coarse_now() : stamp;  // an executor that never refreshes
  }

 private:
  static Instant& slot() noexcept {
    static thread_local Instant stamp{};
    return stamp;
  }
};

}  // namespace wb
