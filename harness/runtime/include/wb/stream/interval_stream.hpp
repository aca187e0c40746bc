// wb::IntervalStream — a wb::Interval seen as an endless stream of tick instants. Take from it
// (wb::take), zip it with another stream to pace that one, or select it against other work.
#pragma once

#include <chrono>
#include <optional>
#include <utility>

#include "wb/stream/stream.hpp"
#include "wb/time/interval.hpp"

namespace wb {

class IntervalStream {
 public:
  using Item = Instant;

  explicit IntervalStream(Interval interval) : interval_(std::move(interval)) {}

  Poll<std::optional<Instant>> poll_next(Context& cx) {
    auto tick = interval_.poll_tick(cx);
    if (tick.is_pending()) return pending;
    return std::optional<Instant>(tick.value());
  }

 private:
  Interval interval_;
};

/// Ticks every `period`, the first at the first poll.
template <class Rep, class Period>
IntervalStream interval_stream(std::chrono::duration<Rep, Period> period) {
  return IntervalStream(interval(period));
}

}  // namespace wb
