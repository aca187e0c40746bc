// Reference solution: Join — runs two futures at once and is Ready with both outputs when both
// have finished. Each child is polled until it is Ready, and never again after that.
#pragma once

#include <optional>
#include <utility>
#include <value_future.hpp>
#include <wb/core/future.hpp>

template <ValueFuture A, ValueFuture B>
class Join {
 public:
  using Output = std::pair<wb::output_of<A>, wb::output_of<B>>;

  Join(A first, B second) : first_(std::move(first)), second_(std::move(second)) {}

  // ANCHOR: join_poll
  wb::Poll<Output> poll(wb::Context& cx) {
    // Both children get this poll's cx: whichever can go on wakes the whole join.
    if (!first_output_) {
      if (auto result = first_.poll(cx); result.is_ready()) {
        first_output_.emplace(std::move(result).value());
      }
    }
    if (!second_output_) {
      if (auto result = second_.poll(cx); result.is_ready()) {
        second_output_.emplace(std::move(result).value());
      }
    }
    if (!first_output_ || !second_output_) return wb::pending;
    return Output(std::move(*first_output_), std::move(*second_output_));
  }
  // ANCHOR_END: join_poll

 private:
  A first_;
  B second_;
  std::optional<wb::output_of<A>> first_output_;
  std::optional<wb::output_of<B>> second_output_;
};
