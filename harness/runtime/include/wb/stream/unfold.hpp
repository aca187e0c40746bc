// wb::unfold — a stream made from a state and a step function. step(state) answers the next item
// and the state after it — std::optional<std::pair<Item, State>>, nullopt to end — either
// directly or as a future (a Task, say) that the stream awaits. The state moves from step to
// step, so nothing is shared and nothing needs a lock.
//
//   auto countdown = wb::unfold(3, [](int n) -> std::optional<std::pair<int, int>> {
//     if (n == 0) return std::nullopt;
//     return std::pair{n, n - 1};
//   });  // 3, 2, 1
#pragma once

#include <optional>
#include <type_traits>
#include <utility>

#include "wb/core/address_check.hpp"
#include "wb/core/contract.hpp"
#include "wb/stream/stream.hpp"

namespace wb {

namespace detail {
/// R itself, or the output of R when R is a future.
template <class R, bool = Future<R>>
struct awaited {
  using type = R;
};
template <class R>
struct awaited<R, true> {
  using type = output_of<R>;
};
template <class R>
using awaited_t = typename awaited<R>::type;
}  // namespace detail

// ANCHOR: unfold
template <class State, class Step>
class Unfold {
  using Returned = std::invoke_result_t<Step&, State>;
  using Answer = detail::awaited_t<Returned>;  // std::optional<std::pair<Item, State>>
  static constexpr bool is_async = Future<Returned>;

 public:
  using Item = typename Answer::value_type::first_type;
  static_assert(std::is_same_v<Answer, std::optional<std::pair<Item, State>>>,
                "unfold's step must return std::optional<std::pair<Item, State>> (or a future "
                "of it), with the same State type it was given");

  Unfold(State initial, Step step) : state_(std::move(initial)), step_(std::move(step)) {}

  Poll<std::optional<Item>> poll_next(Context& cx) {
    check_.on_poll(this);
    if constexpr (is_async) {
      if (!running_) {
        if (!state_) return std::optional<Item>();  // ended
        running_.emplace(step_(std::move(*state_)));
        state_.reset();
      }
      auto answer = running_->poll(cx);
      if (answer.is_pending()) return pending;
      running_.reset();
      return advance(std::move(answer).value());
    } else {
      if (!state_) return std::optional<Item>();
      Answer answer = step_(std::move(*state_));
      state_.reset();
      return advance(std::move(answer));
    }
  }

 private:
  std::optional<Item> advance(Answer answer) {
    if (!answer) return std::nullopt;  // no state left: the stream has ended for good
    state_.emplace(std::move(answer->second));
    return std::optional<Item>(std::move(answer->first));
  }

  std::optional<State> state_;
  Step step_;
  std::optional<Returned> running_;  // the step in progress, when steps are futures
  [[no_unique_address]] AddressCheck check_;
};

template <class State, class Step>
Unfold<State, Step> unfold(State initial, Step step) {
  return Unfold<State, Step>(std::move(initial), std::move(step));
}
// ANCHOR_END: unfold

}  // namespace wb
