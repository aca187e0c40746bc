// Exercise: Select — races two futures. It is Ready as soon as one of them is, with that one's
// output, and destroys the other one (the loser) right away: dropping a future cancels it.
// Read book/src/ch06-futures-by-hand.md, then replace the WB_TODO.
// Check your work with:  scripts/workbook check ch06
#pragma once

#include <optional>
#include <utility>
#include <value_future.hpp>
#include <variant>
#include <wb/core/contract.hpp>
#include <wb/core/future.hpp>

// ANCHOR: select_stub
// The output says which future won by its index: 0 for the first, 1 for the second. Build it
// with std::in_place_index<0> or <1>, which works even when both outputs have the same type.
template <ValueFuture A, ValueFuture B>
class Select {
 public:
  using Output = std::variant<wb::output_of<A>, wb::output_of<B>>;

  Select(A first, B second)
      : first_(std::in_place, std::move(first)), second_(std::in_place, std::move(second)) {}

  wb::Poll<Output> poll(wb::Context& cx) {
    (void)cx;
    WB_TODO(
        "poll the first future, then the second; as soon as one is Ready, destroy both "
        "(reset the optionals) and return its output at its index; else return wb::pending");
  }

 private:
  // Optional so that Select can destroy them before it is destroyed itself.
  std::optional<A> first_;
  std::optional<B> second_;
};
// ANCHOR_END: select_stub
