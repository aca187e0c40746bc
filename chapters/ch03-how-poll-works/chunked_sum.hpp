// Exercise: ChunkedSum — a CPU-heavy job made cooperative. Summing a large vector in one poll
// would hold the executor's thread for the whole job; instead each poll adds one chunk and then
// yields, the way wb::yield_now does: wake yourself and return Pending, so the executor can run
// other tasks before it polls you again.
// Read book/src/ch03-how-poll-works.md ("yield_now"), then replace the WB_TODO.
// Check your work with:  scripts/workbook check ch03
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>
#include <wb/core/contract.hpp>
#include <wb/core/future.hpp>
#include <wb/core/yield_now.hpp>

namespace ex {

/// The sum of `items`, computed at most `chunk` items per poll.
class ChunkedSum {
 public:
  using Output = std::uint64_t;

  ChunkedSum(std::vector<std::uint32_t> items, std::size_t chunk)
      : items_(std::move(items)), chunk_(chunk == 0 ? 1 : chunk) {}

  /// Add the next chunk_ items (fewer if fewer are left). If that was the last of them, return
  /// the total; otherwise yield: wake this poll's waker and return Pending. So the poll that adds
  /// the last item is Ready — an empty vector at the first poll — and there is no extra poll at
  /// the end: 10 chunks take exactly 10 polls.
  wb::Poll<std::uint64_t> poll(wb::Context& cx) {
    (void)cx;
    WB_TODO(
        "add items_[next_] … up to chunk_ of them into total_; if next_ reached the end return "
        "total_, else cx.waker().wake_by_ref() and return wb::pending");
  }

 private:
  std::vector<std::uint32_t> items_;
  std::size_t chunk_;
  std::size_t next_ = 0;     // the first item not added yet
  std::uint64_t total_ = 0;  // the sum of items_[0 .. next_)
};

}  // namespace ex
