// Cache — the chapter's async interface, as a C++20 concept: a type is a Cache when get(key)
// returns a future of the value (or nothing) and set(key, value) returns a future of nothing.
// Each implementation chooses its own future types; the concept only names their outputs.
// (Given, not an exercise.)
#pragma once

#include <concepts>
#include <optional>
#include <string>
#include <wb/core/future.hpp>

// ANCHOR: cache_concept
/// A wb::Future whose output is exactly T.
template <class F, class T>
concept FutureOf = wb::Future<F> && std::same_as<wb::output_of<F>, T>;

template <class C>
concept Cache = requires(C& cache, std::string key, std::string value) {
  { cache.get(key) } -> FutureOf<std::optional<std::string>>;
  { cache.set(key, value) } -> FutureOf<void>;
};
// ANCHOR_END: cache_concept
