// wb::timeout — runs a future against a deadline: its output if it finishes first, the error
// wb::Elapsed if the time runs out first. Either way the loser is dropped at once: an inner
// future that timed out is cancelled, and a timer that lost is taken out of the queue.
#pragma once

#include <chrono>
#include <optional>
#include <utility>

#include "wb/core/contract.hpp"
#include "wb/core/expected.hpp"
#include "wb/core/future.hpp"
#include "wb/time/sleep.hpp"

namespace wb {

/// The error of a timeout whose time ran out.
struct Elapsed {
  friend bool operator==(Elapsed, Elapsed) = default;
};

// ANCHOR: timeout
template <Future F>
class Timeout {
 public:
  using Output = Expected<output_of<F>, Elapsed>;

  Timeout(F inner, Sleep timer)
      : inner_(std::in_place, std::move(inner)), timer_(std::move(timer)) {}

  Poll<Output> poll(Context& cx) {
    if (!inner_) throw ContractViolation("a wb::timeout was polled again after it returned Ready");
    // The inner future goes first: work that is done counts even if the deadline has passed.
    auto result = inner_->poll(cx);
    if (result.is_ready()) {
      inner_.reset();
      if constexpr (std::is_void_v<output_of<F>>) {
        return Output();
      } else {
        return Output(std::move(result).value());
      }
    }
    if (timer_.poll(cx).is_pending()) return pending;
    inner_.reset();  // time is up: cancel the inner future now, not when the Timeout is dropped
    return Output(unexpected(Elapsed{}));
  }

 private:
  std::optional<F> inner_;
  Sleep timer_;
};

/// `inner`'s output, or Elapsed if it is not Ready within `duration` of the first poll.
template <Future F, class Rep, class Period>
Timeout<F> timeout(std::chrono::duration<Rep, Period> duration, F inner) {
  return Timeout<F>(std::move(inner), sleep(duration));
}

/// `inner`'s output, or Elapsed if it is not Ready by `deadline`.
template <Future F>
Timeout<F> timeout_at(Instant deadline, F inner) {
  return Timeout<F>(std::move(inner), sleep_until(deadline));
}
// ANCHOR_END: timeout

}  // namespace wb
