// wb::Interval — ticks at a fixed period: `co_await interval.tick()` is Ready at start, start +
// period, start + 2·period, … A tick that comes late does not shift the ones after it: when the
// program falls behind, the missed ticks come back to back until it has caught up ("burst").
#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include "wb/core/address_check.hpp"
#include "wb/core/contract.hpp"
#include "wb/core/future.hpp"
#include "wb/time/timer_driver.hpp"

namespace wb {

class Interval {
 public:
  /// Ticks every `period`, the first tick at `start` (by default at the first poll).
  explicit Interval(Duration period, std::optional<Instant> start = std::nullopt)
      : next_(start), period_(period) {
    if (period <= Duration::zero())
      throw ContractViolation("an interval's period must be positive");
  }
  Interval(Interval&& other) noexcept : next_(other.next_), period_(other.period_) {}
  Interval& operator=(Interval&&) = delete;
  ~Interval() {
    if (driver_) driver_->cancel(entry_);
  }

  // ANCHOR: interval_poll_tick
  /// Ready with the deadline of the tick that came due.
  Poll<Instant> poll_tick(Context& cx) {
    check_.on_poll(this);
    if (!driver_) {
      driver_ = TimerDriver::current().shared_from_this();
      if (!next_) next_ = driver_->now();
    }
    if (!driver_->poll_timer(entry_, *next_, cx.waker())) return pending;
    driver_->cancel(entry_);  // forget that it fired: the next tick registers afresh
    Instant due = *next_;
    *next_ += period_;
    return due;
  }
  // ANCHOR_END: interval_poll_tick

  /// The future of the next tick. The Interval must outlive it and stay where it is.
  class Tick {
   public:
    using Output = Instant;
    explicit Tick(Interval& interval) : interval_(&interval) {}
    Poll<Instant> poll(Context& cx) { return interval_->poll_tick(cx); }

   private:
    Interval* interval_;
  };
  Tick tick() { return Tick(*this); }

  Duration period() const noexcept { return period_; }

 private:
  std::optional<Instant> next_;
  Duration period_;
  std::shared_ptr<TimerDriver> driver_;
  TimerEntry entry_;
  [[no_unique_address]] AddressCheck check_;
};

/// Ticks every `period`, the first tick at the first poll.
template <class Rep, class Period>
Interval interval(std::chrono::duration<Rep, Period> period) {
  return Interval(std::chrono::ceil<Duration>(period));
}

}  // namespace wb
