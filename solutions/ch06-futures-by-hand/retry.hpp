// Reference solution: RetryFuture — runs attempts made by a factory, one at a time, until one
// succeeds or max_attempts have failed; Ready with the success or with the last failure.
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

  // ANCHOR: retry_poll
  wb::Poll<Output> poll(wb::Context& cx) {
    if (!current_) start_next_attempt();  // lazily: the first attempt is made at the first poll
    for (;;) {
      auto result = current_->poll(cx);
      if (result.is_pending()) return wb::pending;  // the attempt has arranged its own wake-up
      Output attempt = std::move(result).value();
      current_.reset();  // a finished attempt is dropped before anything else is made
      if (attempt.succeeded() || attempts_made_ == max_attempts_) return attempt;
      start_next_attempt();  // and polled at once, round the loop: no need to wait for a wake
    }
  }
  // ANCHOR_END: retry_poll

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
