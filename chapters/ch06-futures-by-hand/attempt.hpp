// Attempt<T> — what one try of a fallible operation gives back: a value, or the reason it
// failed. The futures that RetryFuture runs have an Attempt as their Output. (Given, not an
// exercise: std::expected would do the same job in C++23.)
#pragma once

#include <optional>
#include <string>
#include <utility>

// ANCHOR: attempt
template <class T>
struct Attempt {
  std::optional<T> value;  // set when the attempt succeeded
  std::string error;       // why it failed, when it did not

  bool succeeded() const { return value.has_value(); }

  static Attempt success(T result) { return Attempt{std::move(result), {}}; }
  static Attempt failure(std::string why) { return Attempt{std::nullopt, std::move(why)}; }
};
// ANCHOR_END: attempt
