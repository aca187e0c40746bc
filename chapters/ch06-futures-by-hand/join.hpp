// Exercise: Join — runs two futures at once and is Ready with both outputs, as a std::pair, when
// both have finished. Read book/src/ch06-futures-by-hand.md, then replace the WB_TODO.
// Check your work with:  scripts/workbook check ch06
#pragma once

#include <optional>
#include <utility>
#include <value_future.hpp>
#include <wb/core/contract.hpp>
#include <wb/core/future.hpp>

// ANCHOR: join_stub
template <ValueFuture A, ValueFuture B>
class Join {
 public:
  using Output = std::pair<wb::output_of<A>, wb::output_of<B>>;

  Join(A first, B second) : first_(std::move(first)), second_(std::move(second)) {}

  wb::Poll<Output> poll(wb::Context& cx) {
    (void)cx;
    WB_TODO(
        "poll each child that has not finished yet (with this poll's cx) and keep the "
        "output of one that is Ready; return both outputs once both have finished");
  }

 private:
  A first_;
  B second_;
  // A child's output, once it was Ready. A child with an output is finished: never poll it again.
  std::optional<wb::output_of<A>> first_output_;
  std::optional<wb::output_of<B>> second_output_;
};
// ANCHOR_END: join_stub
