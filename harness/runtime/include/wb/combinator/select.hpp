// wb::select and wb::select_all — run several futures at once and finish with the first one
// that is Ready; the others are dropped (cancelled) on the spot. A fair select rotates which
// child it polls first, so that one that is always ready cannot starve the rest; a biased one
// always polls in order, so the first child wins every tie (use it for "shutdown first").
#pragma once

#include <cstddef>
#include <optional>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "wb/combinator/maybe_done.hpp"
#include "wb/core/contract.hpp"
#include "wb/core/future.hpp"

namespace wb {

enum class SelectOrder {
  fair,    // start each poll one child further along (deterministic, unlike a random start)
  biased,  // always poll in order
};

namespace detail {
/// Where a fair select starts polling: one further along at every poll on this thread, so that
/// a fresh select in each turn of a loop is as fair as one select polled many times.
inline std::size_t next_select_start(std::size_t children) {
  static thread_local std::size_t rotation = 0;
  return rotation++ % children;
}
}  // namespace detail

// ANCHOR: select
template <SelectOrder Order, Future... Fs>
class Select {
 public:
  /// The winner's index is the variant's index(); a void child gives std::monostate.
  using Output = std::variant<value_of<Fs>...>;
  static constexpr std::size_t count = sizeof...(Fs);

  explicit Select(Fs... futures) : children_(std::optional<Fs>(std::move(futures))...) {}

  Poll<Output> poll(Context& cx) {
    if (finished_) throw ContractViolation("a wb::select was polled again after it returned Ready");
    std::size_t const start = Order == SelectOrder::fair ? detail::next_select_start(count) : 0;
    for (std::size_t i = 0; i < count; ++i) {
      std::optional<Output> won = poll_child((start + i) % count, cx);
      if (won) {
        finished_ = true;
        std::apply([](auto&... child) { (child.reset(), ...); }, children_);  // drop the losers
        return std::move(*won);
      }
    }
    return pending;
  }

 private:
  std::optional<Output> poll_child(std::size_t which, Context& cx) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      std::optional<Output> won;
      ((I == which ? poll_one<I>(cx, won) : void()), ...);
      return won;
    }
    (std::index_sequence_for<Fs...>{});
  }

  template <std::size_t I>
  void poll_one(Context& cx, std::optional<Output>& won) {
    auto result = std::get<I>(children_)->poll(cx);
    if (result.is_pending()) return;
    if constexpr (std::is_void_v<typename decltype(result)::value_type>) {
      won.emplace(std::in_place_index<I>);
    } else {
      won.emplace(std::in_place_index<I>, std::move(result).value());
    }
  }

  std::tuple<std::optional<Fs>...> children_;
  bool finished_ = false;
};

/// The first of `futures` to be Ready, starting one child further along on each poll.
template <Future... Fs>
  requires(sizeof...(Fs) >= 2)
Select<SelectOrder::fair, Fs...> select(Fs... futures) {
  return Select<SelectOrder::fair, Fs...>(std::move(futures)...);
}

/// The first of `futures` to be Ready, always polling them in argument order.
template <Future... Fs>
  requires(sizeof...(Fs) >= 2)
Select<SelectOrder::biased, Fs...> select_biased(Fs... futures) {
  return Select<SelectOrder::biased, Fs...>(std::move(futures)...);
}
// ANCHOR_END: select

/// select for any number of futures of one type: Ready with {index of the winner, its output}.
template <Future F>
class SelectAll {
 public:
  using Output = std::pair<std::size_t, value_of<F>>;

  SelectAll(std::vector<F> futures, SelectOrder order) : order_(order) {
    if (futures.empty()) throw ContractViolation("wb::select_all needs at least one future");
    children_.reserve(futures.size());  // never reallocated after: children stay in place
    for (auto& future : futures) children_.emplace_back(std::move(future));
  }

  Poll<Output> poll(Context& cx) {
    if (children_.empty()) {
      throw ContractViolation("a wb::select_all was polled again after it returned Ready");
    }
    std::size_t const n = children_.size();
    std::size_t const start = order_ == SelectOrder::fair ? detail::next_select_start(n) : 0;
    for (std::size_t i = 0; i < n; ++i) {
      std::size_t const which = (start + i) % n;
      auto result = children_[which]->poll(cx);
      if (result.is_pending()) continue;
      std::optional<Output> won;
      if constexpr (std::is_void_v<output_of<F>>) {
        won.emplace(which, std::monostate{});
      } else {
        won.emplace(which, std::move(result).value());
      }
      children_.clear();  // drop the losers
      return std::move(*won);
    }
    return pending;
  }

 private:
  std::vector<std::optional<F>> children_;
  SelectOrder order_;
};

template <Future F>
SelectAll<F> select_all(std::vector<F> futures, SelectOrder order = SelectOrder::fair) {
  return SelectAll<F>(std::move(futures), order);
}

}  // namespace wb
