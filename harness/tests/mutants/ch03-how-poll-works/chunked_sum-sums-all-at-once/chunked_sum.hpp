// Mutant of ch03's ChunkedSum: adds every item in the first poll, never yielding.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>
#include <wb/core/future.hpp>

namespace ex {

// ANCHOR: chunked_sum
class ChunkedSum {
 public:
  using Output = std::uint64_t;

  ChunkedSum(std::vector<std::uint32_t> items, std::size_t chunk)
      : items_(std::move(items)), chunk_(chunk == 0 ? 1 : chunk) {}

  wb::Poll<std::uint64_t> poll(wb::Context& cx) {
    auto const end = items_.size();  // WRONG: the whole job in one poll holds the thread
    for (; next_ < end; ++next_) total_ += items_[next_];
    if (next_ == items_.size()) return total_;
    // Yield, as wb::yield_now's first poll does: ask to be polled again and give the thread back,
    // so the executor runs whatever else is ready before it comes back to us.
    cx.waker().wake_by_ref();
    return wb::pending;
  }

 private:
  std::vector<std::uint32_t> items_;
  std::size_t chunk_;
  std::size_t next_ = 0;
  std::uint64_t total_ = 0;
};
// ANCHOR_END: chunked_sum

}  // namespace ex
