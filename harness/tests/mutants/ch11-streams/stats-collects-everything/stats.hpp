// Mutant: collects the whole stream into a vector, then computes the statistics from it.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <limits>
#include <utility>
#include <wb/core/contract.hpp>
#include <wb/stream/collect.hpp>
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
  auto all = co_await wb::collect(std::move(readings));  // every reading in memory at once
  Stats stats{0, std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
              0.0};
  for (double reading : all) {
    ++stats.count;
    stats.min = std::min(stats.min, reading);
    stats.max = std::max(stats.max, reading);
    stats.sum += reading;
  }
  co_return stats;
}
// ANCHOR_END: compute_stats
