// Mutant: returns the first failure as it is: the failed attempt is
// never followed by another one.
#pragma once

#include <attempt.hpp>
#include <optional>
#include <type_traits>
#include <utility>
#include <wb/core/future.hpp>

template <class MakeAttempt>
requires wb::Future<std::invoke_result_t<MakeAttempt&>>
class RetryFuture {
 public:
  using AttemptFuture = std::invoke_result_t<MakeAttempt&>;
  using Output = wb::output_of<AttemptFuture>;

  RetryFuture(MakeAttempt make_attempt, unsigned max_attempts)
      : make_attempt_(std::move(make_attempt)), max_attempts_(max_attempts) {}

  wb::Poll<Output> poll(wb::Context& cx) {
    if (!current_) start_next_attempt();  // lazily: the first attempt is made at the first poll
    for (;;) {
      auto result = current_->poll(cx);
      if (result.is_pending()) return wb::pending;  // the attempt has arranged its own wake-up
      Output attempt = std::move(result).value();
      current_.reset();  // a finished attempt is dropped before anything else is made
      return attempt;    // wrong: a failure ends the retry at once
    }
  }

 private:
  void start_next_attempt() {
    ++attempts_made_;
    current_.emplace(make_attempt_());
  }

  MakeAttempt make_attempt_;
  unsigned max_attempts_;
  unsigned attempts_made_ = 0;
  std::optional<AttemptFuture> current_;
};
