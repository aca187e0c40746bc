// Mutant: polls only its first future: the second is never polled, so it
// can never win (nor even start).
#pragma once

#include <optional>
#include <utility>
#include <value_future.hpp>
#include <variant>
#include <wb/core/contract.hpp>
#include <wb/core/future.hpp>

template <ValueFuture A, ValueFuture B>
class Select {
 public:
  using Output = std::variant<wb::output_of<A>, wb::output_of<B>>;

  Select(A first, B second)
      : first_(std::in_place, std::move(first)), second_(std::in_place, std::move(second)) {}

  wb::Poll<Output> poll(wb::Context& cx) {
    if (!first_ || !second_) throw wb::ContractViolation("a Select was polled after it was Ready");
    // The first future is polled first, so it wins a tie: this select is biased.
    if (auto result = first_->poll(cx); result.is_ready()) {
      return finish(Output(std::in_place_index<0>, std::move(result).value()));
    }
    // wrong: the second future is never polled
    return wb::pending;
  }

 private:
  Output finish(Output winner) {
    // Destroying the loser is how it is cancelled: its destructor releases whatever it held.
    first_.reset();
    second_.reset();
    return winner;
  }

  std::optional<A> first_;
  std::optional<B> second_;
};
