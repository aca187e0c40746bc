// wb::MaybeDone<F> — a future, then its output, then nothing: how a combinator keeps a child
// that may finish before its siblings. The child is destroyed the moment it is Ready, so what it
// held is released then, and it is never polled again.
#pragma once

#include <utility>
#include <variant>

#include "wb/core/contract.hpp"
#include "wb/core/future.hpp"

namespace wb {

/// A future's output as a value a tuple or variant can hold: void becomes std::monostate.
template <class F>
using value_of = std::conditional_t<std::is_void_v<output_of<F>>, std::monostate, output_of<F>>;

template <Future F>
class MaybeDone {
 public:
  explicit MaybeDone(F future) : state_(std::in_place_index<0>, std::move(future)) {}

  /// Polls the child unless it finished already; true once its output is here.
  bool poll(Context& cx) {
    if (state_.index() != 0) return state_.index() == 1;
    auto result = std::get<0>(state_).poll(cx);
    if (result.is_pending()) return false;
    if constexpr (std::is_void_v<output_of<F>>) {
      state_.template emplace<1>();
    } else {
      state_.template emplace<1>(std::move(result).value());
    }
    return true;
  }

  bool is_done() const noexcept { return state_.index() == 1; }

  /// The output, once; the slot is empty after that.
  value_of<F> take() {
    if (state_.index() != 1) throw ContractViolation("MaybeDone::take() without an output");
    value_of<F> value = std::get<1>(std::move(state_));
    state_.template emplace<2>();
    return value;
  }

 private:
  struct Taken {};
  std::variant<F, value_of<F>, Taken> state_;
};

}  // namespace wb
