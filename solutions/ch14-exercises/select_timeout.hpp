// Reference solution: Timeout<F> — chapter 6's Select with a timer as its second future. The
// future is polled first, so it wins a tie; the timer is made at the first poll, so the
// deadline counts from there; and whichever side answers, both are destroyed at once.
#pragma once

#include <chrono>
#include <either.hpp>
#include <optional>
#include <utility>
#include <wb/core/contract.hpp>
#include <wb/core/future.hpp>
#include <wb/time/sleep.hpp>
#include <wb/time/timer_driver.hpp>

template <ValueFuture F>
class Timeout {
 public:
  /// Left: the future's output. Right: how long the Timeout waited, from its first poll.
  using Output = Either<wb::output_of<F>, wb::Duration>;

  Timeout(F future, wb::Duration duration)
      : future_(std::in_place, std::move(future)), duration_(duration) {}

  // ANCHOR: poll
  wb::Poll<Output> poll(wb::Context& cx) {
    if (!future_) throw wb::ContractViolation("a Timeout was polled again after it answered");
    if (!timer_) {
      // Futures are lazy: the wait starts now, at the first poll, not when the Timeout was made.
      started_ = wb::TimerDriver::current().now();
      timer_.emplace(wb::sleep_until(started_ + duration_));
    }
    // The future first: work that is done counts, even if the deadline has come too.
    if (auto result = future_->poll(cx); result.is_ready()) {
      return finish(Output(Left, std::move(result).value()));
    }
    if (timer_->poll(cx).is_pending()) return wb::pending;
    return finish(Output(Right, wb::TimerDriver::current().now() - started_));
  }
  // ANCHOR_END: poll

 private:
  Output finish(Output answer) {
    // Both are destroyed at once: the loser is cancelled (a timer that lost leaves the queue
    // and wakes nobody), and an empty future_ marks the Timeout as done.
    future_.reset();
    timer_.reset();
    return answer;
  }

  std::optional<F> future_;
  std::optional<wb::Sleep> timer_;  // made at the first poll
  wb::Instant started_{};
  wb::Duration duration_;
};

/// `future`'s output as Left, or Right with the time waited if it is not Ready within
/// `duration` of the first poll.
template <ValueFuture F, class Rep, class Period>
Timeout<F> select_timeout(F future, std::chrono::duration<Rep, Period> duration) {
  return Timeout<F>(std::move(future), std::chrono::ceil<wb::Duration>(duration));
}
