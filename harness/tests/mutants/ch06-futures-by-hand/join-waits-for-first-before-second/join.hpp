// Mutant: awaits its children one after the other: the second is not
// polled (so not even started) until the first has finished.
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
    if (!first_output_) {
      auto result = first_.poll(cx);
      if (result.is_pending()) return wb::pending;  // wrong: the second child waits its turn
      first_output_.emplace(std::move(result).value());
    }
    if (!second_output_) {
      if (auto result = second_.poll(cx); result.is_ready()) {
        second_output_.emplace(std::move(result).value());
      }
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
