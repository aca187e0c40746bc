// wb::sleep and wb::sleep_until — futures that are Ready once a duration has passed or a deadline
// is reached, on the clock of the runtime that polls them. Like every future here they are lazy:
// sleep(d) starts counting at its first poll. Dropping one before it fires cancels its timer.
#pragma once

#include <memory>
#include <optional>
#include <utility>

#include "wb/core/address_check.hpp"
#include "wb/core/future.hpp"
#include "wb/time/timer_driver.hpp"

namespace wb {

// ANCHOR: sleep
class Sleep {
 public:
  using Output = void;

  /// Ready at `deadline`.
  static Sleep until(Instant deadline) { return Sleep(deadline, Duration::zero()); }
  /// Ready `duration` after the first poll.
  static Sleep after(Duration duration) { return Sleep(std::nullopt, duration); }

  // Moving is allowed before the first poll only (the driver points at entry_ after that):
  // a moved Sleep starts afresh.
  Sleep(Sleep&& other) noexcept : deadline_(other.deadline_), duration_(other.duration_) {}
  Sleep& operator=(Sleep&&) = delete;
  ~Sleep() {
    if (driver_) driver_->cancel(entry_);
  }

  Poll<void> poll(Context& cx) {
    check_.on_poll(this);
    if (!driver_) {  // first poll: the timer belongs to the runtime that polls it
      driver_ = TimerDriver::current().shared_from_this();
      if (!deadline_) deadline_ = driver_->now() + duration_;
    }
    if (driver_->poll_timer(entry_, *deadline_, cx.waker())) return Poll<void>::ready();
    return pending;
  }

  /// The deadline, once known (at construction for until(), at the first poll for after()).
  std::optional<Instant> deadline() const noexcept { return deadline_; }

 private:
  Sleep(std::optional<Instant> deadline, Duration duration)
      : deadline_(deadline), duration_(duration) {}

  std::optional<Instant> deadline_;
  Duration duration_;
  std::shared_ptr<TimerDriver> driver_;  // set at the first poll; keeps the queue alive for entry_
  TimerEntry entry_;
  [[no_unique_address]] AddressCheck check_;
};

/// A future that is Ready `duration` after its first poll.
template <class Rep, class Period>
Sleep sleep(std::chrono::duration<Rep, Period> duration) {
  return Sleep::after(std::chrono::ceil<Duration>(duration));  // never shorter than asked
}

/// A future that is Ready at `deadline` (at once, if that has passed).
inline Sleep sleep_until(Instant deadline) { return Sleep::until(deadline); }
// ANCHOR_END: sleep

}  // namespace wb
