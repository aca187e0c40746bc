// Either<L, R> — one value of two possible kinds, Left or Right, as chapter 6's Select answers:
// a std::variant of two, whose index says the side (0 is Left, 1 is Right), which works even
// when both sides have the same type. (Given, not an exercise.)
#pragma once

#include <type_traits>
#include <utility>
#include <variant>
#include <wb/core/future.hpp>

// ANCHOR: either
template <class L, class R>
using Either = std::variant<L, R>;

/// The two sides, to build an Either with: Either<int, wb::Duration>(Left, 42).
inline constexpr std::in_place_index_t<0> Left{};
inline constexpr std::in_place_index_t<1> Right{};

template <class L, class R>
bool is_left(Either<L, R> const& either) {
  return either.index() == 0;
}
template <class L, class R>
bool is_right(Either<L, R> const& either) {
  return either.index() == 1;
}
// ANCHOR_END: either

/// A wb::Future whose Output is a value: a variant cannot hold void.
template <class F>
concept ValueFuture = wb::Future<F> && !std::is_void_v<wb::output_of<F>>;
