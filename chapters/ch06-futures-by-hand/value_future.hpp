// ValueFuture — a wb::Future whose Output is a value rather than void. Join and Select accept
// only these, because a std::pair or a std::variant cannot hold void. (Given, not an exercise.)
#pragma once

#include <type_traits>
#include <wb/core/future.hpp>

template <class F>
concept ValueFuture = wb::Future<F> && !std::is_void_v<wb::output_of<F>>;
