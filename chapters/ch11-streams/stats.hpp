// Exercise: compute_stats — the count, smallest, largest and mean of a stream of sensor readings,
// computed with wb::fold as the readings arrive, without collecting them first: the stream may
// be long (a day of readings) or come in slowly (one a second from a device).
// Read book/src/ch11-streams.md, then replace the WB_TODO.
// Check your work with:  scripts/workbook check ch11
#pragma once

#include <concepts>
#include <cstddef>
#include <limits>
#include <utility>
#include <wb/core/contract.hpp>
#include <wb/stream/fold.hpp>
#include <wb/stream/stream.hpp>
#include <wb/task/task.hpp>

// ANCHOR: stats
/// What compute_stats finds. For a stream without readings: count 0, min +infinity, max
/// -infinity (nothing is smaller than +infinity), mean 0.
struct Stats {
  std::size_t count = 0;
  double min = 0;
  double max = 0;
  double sum = 0;

  double mean() const { return count == 0 ? 0.0 : sum / static_cast<double>(count); }
};

/// A stream whose items are numbers (or convert to double).
template <class S>
concept NumberStream = wb::Stream<S> && std::convertible_to < wb::item_of<S>,
double > ;
// ANCHOR_END: stats

// ANCHOR: compute_stats_stub
/// Reads the whole stream, one reading at a time, and returns its statistics.
template <NumberStream S>
wb::Task<Stats> compute_stats(S readings) {
  (void)readings;
  WB_TODO(
      "co_return co_await wb::fold(std::move(readings), <the Stats of no readings at all>, "
      "<a function (Stats, double) -> Stats that takes one more reading into account>)");
}
// ANCHOR_END: compute_stats_stub
