// Exercise: retry_with_backoff — calls an operation until it succeeds, at most `attempts` times,
// sleeping between attempts for a delay that doubles from `base` and never exceeds `cap`, with
// jitter applied, so that many clients that failed together do not all retry together.
// Read book/src/ch13-production-patterns.md, then replace the WB_TODO.
// Check your work with:  scripts/workbook check ch13
#pragma once

#include <algorithm>
#include <concepts>
#include <type_traits>
#include <utility>
#include <wb/core/contract.hpp>
#include <wb/core/expected.hpp>
#include <wb/core/future.hpp>
#include <wb/task/task.hpp>
#include <wb/time/clock.hpp>
#include <wb/time/sleep.hpp>

// ANCHOR: retry_concepts
/// An attempt: called with no arguments, it returns a future whose output is a wb::Expected —
/// the answer, or the error of this attempt.
template <class Op>
concept Attempt = std::invocable<Op&> && wb::Future<std::invoke_result_t<Op&>> &&
    requires(wb::output_of<std::invoke_result_t<Op&>> result) {
  { result.has_value() } -> std::same_as<bool>;
  result.error();
};

template <Attempt Op>
using attempt_output = wb::output_of<std::invoke_result_t<Op&>>;

/// Jitter: given the backoff's delay, returns how long to sleep instead (the delay plus or
/// minus some randomness).
template <class J>
concept Jitter = std::invocable<J&, wb::Duration> &&
    std::same_as<std::invoke_result_t<J&, wb::Duration>, wb::Duration>;

/// No jitter: sleeps exactly the backoff's delay.
inline wb::Duration no_jitter(wb::Duration delay) { return delay; }
// ANCHOR_END: retry_concepts

// ANCHOR: retry_stub
/// Calls `op` until one attempt succeeds or `attempts` (at least 1) have failed; returns the
/// first success, or the error of the last attempt. After failed attempt n (n = 1, 2, ...) and
/// before the next one, sleeps jitter(min(cap, base * 2^(n-1))). No sleep after the last one.
template <Attempt Op, Jitter J>
wb::Task<attempt_output<Op>> retry_with_backoff(Op op, unsigned attempts, wb::Duration base,
                                                wb::Duration cap, J jitter) {
  (void)op;
  (void)attempts;
  (void)base;
  (void)cap;
  (void)jitter;
  WB_TODO(
      "loop over the attempts: co_await op(); on success co_return it; on the last failure "
      "co_return it; otherwise co_await wb::sleep(jitter(delay)) and double delay, up to cap");
}
// ANCHOR_END: retry_stub
