// Mutant: polls both children at every poll, finished or not, so a child
// that was already Ready is polled again.
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

  wb::Poll<Output> poll(wb::Context& cx) {
    // Both children get this poll's cx: whichever can go on wakes the whole join.
    // wrong: a child that finished at an earlier poll is polled again
    if (auto result = first_.poll(cx); result.is_ready()) {
      first_output_.emplace(std::move(result).value());
    }
    if (auto result = second_.poll(cx); result.is_ready()) {
      second_output_.emplace(std::move(result).value());
    }
    if (!first_output_ || !second_output_) return wb::pending;
    return Output(std::move(*first_output_), std::move(*second_output_));
  }

 private:
  A first_;
  B second_;
  std::optional<wb::output_of<A>> first_output_;
  std::optional<wb::output_of<B>> second_output_;
};
