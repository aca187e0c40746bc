// wb::Future — the concept every future satisfies: a type that names its Output and answers
// poll(Context&) with Poll<Output>. Everything else in the runtime is built on this one rule.
#pragma once

#include <concepts>

#include "wb/core/context.hpp"
#include "wb/core/poll.hpp"

namespace wb {

// ANCHOR: future_concept
template <class F>
concept Future = requires(F& future, Context& cx) {
  typename F::Output;
  { future.poll(cx) } -> std::same_as<Poll<typename F::Output>>;
};
// ANCHOR_END: future_concept

template <Future F>
using output_of = typename F::Output;

}  // namespace wb
