// Exercise: RetryFuture — runs an attempt made by a factory, and when it fails, makes and runs
// the next one, up to max_attempts. Ready with the first success, or with the last failure.
// Read book/src/ch06-futures-by-hand.md, then replace the WB_TODO.
// Check your work with:  scripts/workbook check ch06
#pragma once

#include <attempt.hpp>
#include <optional>
#include <type_traits>
#include <utility>
#include <wb/core/contract.hpp>
#include <wb/core/future.hpp>

// ANCHOR: retry_stub
// MakeAttempt is callable with no arguments and returns a new future each time; that future's
// Output is an Attempt<T>.
template <class MakeAttempt>
requires wb::Future<std::invoke_result_t<MakeAttempt&>>
class RetryFuture {
 public:
  using AttemptFuture = std::invoke_result_t<MakeAttempt&>;
  using Output = wb::output_of<AttemptFuture>;  // Attempt<T>: the success, or the last error

  /// max_attempts is at least 1. Nothing is attempted before the first poll.
  RetryFuture(MakeAttempt make_attempt, unsigned max_attempts)
      : make_attempt_(std::move(make_attempt)), max_attempts_(max_attempts) {}

  wb::Poll<Output> poll(wb::Context& cx) {
    (void)cx;
    WB_TODO(
        "make the first attempt at the first poll; poll the current attempt; on success "
        "return it; on failure destroy it, and if attempts are left make the next one and "
        "poll it at once, else return the failure");
  }

 private:
  MakeAttempt make_attempt_;
  unsigned max_attempts_;
  unsigned attempts_made_ = 0;
  // The attempt being run. Futures are often neither copyable nor assignable: use reset() and
  // emplace(), never `current_ = ...`.
  std::optional<AttemptFuture> current_;
};
// ANCHOR_END: retry_stub
