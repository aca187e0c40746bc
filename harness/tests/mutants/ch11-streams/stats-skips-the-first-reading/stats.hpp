// Mutant: a loop over wb::next that starts min, max and sum from the first reading but does
// not count it.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <limits>
#include <utility>
#include <wb/core/contract.hpp>
#include <wb/stream/fold.hpp>
#include <wb/stream/stream.hpp>
#include <wb/task/task.hpp>

struct Stats {
  std::size_t count = 0;
  double min = 0;
  double max = 0;
  double sum = 0;

  double mean() const { return count == 0 ? 0.0 : sum / static_cast<double>(count); }
};

template <class S>
concept NumberStream = wb::Stream<S> && std::convertible_to < wb::item_of<S>,
double > ;

// ANCHOR: compute_stats
template <NumberStream S>
wb::Task<Stats> compute_stats(S readings) {
  Stats stats{0, std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
              0.0};
  auto first = co_await wb::next(readings);
  if (!first) co_return stats;
  stats.min = stats.max = stats.sum = *first;  // started from the first reading, but not counted
  while (auto reading = co_await wb::next(readings)) {
    ++stats.count;
    stats.min = std::min<double>(stats.min, *reading);
    stats.max = std::max<double>(stats.max, *reading);
    stats.sum += *reading;
  }
  co_return stats;
}
// ANCHOR_END: compute_stats
