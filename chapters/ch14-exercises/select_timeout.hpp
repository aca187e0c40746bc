// Exercise: Timeout<F> — select with a timeout, by hand (no wb::select, no wb::timeout). It
// races a future against a timer: Left with the future's output if the future finishes first,
// Right with the time waited if the timer fires first. The future is polled first, so a future
// that is Ready when the timer fires still wins; the time counts from the first poll.
// Read book/src/ch14-exercises.md (exercise 6), then replace the WB_TODO.
// Check your work with:  scripts/workbook check ch14
#pragma once

#include <chrono>
#include <either.hpp>
#include <optional>
#include <utility>
#include <wb/core/contract.hpp>
#include <wb/core/future.hpp>
#include <wb/time/sleep.hpp>
#include <wb/time/timer_driver.hpp>

// ANCHOR: stub
template <ValueFuture F>
class Timeout {
 public:
  /// Left: the future's output. Right: how long the Timeout waited, from its first poll.
  using Output = Either<wb::output_of<F>, wb::Duration>;

  Timeout(F future, wb::Duration duration)
      : future_(std::in_place, std::move(future)), duration_(duration) {}

  wb::Poll<Output> poll(wb::Context& cx) {
    (void)cx;
    WB_TODO(
        "at the first poll note the time (wb::TimerDriver::current().now()) and make the timer "
        "(wb::sleep_until(start + duration_)); then poll the future and, if it is Pending, the "
        "timer; answer Output(Left, value) or Output(Right, time waited), destroying both, or "
        "return wb::pending");
  }

 private:
  // Optional, so that the Timeout can destroy it when it answers (and know that it did).
  std::optional<F> future_;
  wb::Duration duration_;
  // Add what else you need: the timer (a wb::Sleep cannot be assigned: keep it in a
  // std::optional and emplace it), and when the wait started.
};

/// `future`'s output as Left, or Right with the time waited if it is not Ready within
/// `duration` of the first poll.
template <ValueFuture F, class Rep, class Period>
Timeout<F> select_timeout(F future, std::chrono::duration<Rep, Period> duration) {
  return Timeout<F>(std::move(future), std::chrono::ceil<wb::Duration>(duration));
}
// ANCHOR_END: stub
