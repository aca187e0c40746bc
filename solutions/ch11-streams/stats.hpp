// Reference solution: compute_stats — a fold whose accumulator is the Stats so far, starting
// from the Stats of no readings (the neutral values of min, max and +).
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
  // The start of a fold is its answer for an empty stream: for min that is +infinity, the one
  // value every reading is smaller than (0 would beat every positive reading).
  Stats const none{0, std::numeric_limits<double>::infinity(),
                   -std::numeric_limits<double>::infinity(), 0.0};
  co_return co_await wb::fold(std::move(readings), none, [](Stats stats, double reading) {
    ++stats.count;
    stats.min = std::min(stats.min, reading);
    stats.max = std::max(stats.max, reading);
    stats.sum += reading;
    return stats;
  });
}
// ANCHOR_END: compute_stats
