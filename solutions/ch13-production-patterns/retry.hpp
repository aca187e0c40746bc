// Reference solution: retry_with_backoff — a loop of attempts with a delay that starts at base
// (or cap, if smaller), doubles after each sleep and stops at cap; jitter decides each sleep.
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

template <class Op>
concept Attempt = std::invocable<Op&> && wb::Future<std::invoke_result_t<Op&>> &&
    requires(wb::output_of<std::invoke_result_t<Op&>> result) {
  { result.has_value() } -> std::same_as<bool>;
  result.error();
};

template <Attempt Op>
using attempt_output = wb::output_of<std::invoke_result_t<Op&>>;

template <class J>
concept Jitter = std::invocable<J&, wb::Duration> &&
    std::same_as<std::invoke_result_t<J&, wb::Duration>, wb::Duration>;

inline wb::Duration no_jitter(wb::Duration delay) { return delay; }

// ANCHOR: retry
template <Attempt Op, Jitter J>
wb::Task<attempt_output<Op>> retry_with_backoff(Op op, unsigned attempts, wb::Duration base,
                                                wb::Duration cap, J jitter) {
  if (attempts == 0) throw wb::ContractViolation("retry_with_backoff needs at least 1 attempt");
  wb::Duration delay = std::min(base, cap);
  for (unsigned attempt = 1;; ++attempt) {
    auto result = co_await op();
    if (result.has_value() || attempt == attempts) co_return std::move(result);
    co_await wb::sleep(jitter(delay));
    // Doubling stops at the cap, so the delay never overflows however many attempts there are.
    delay = delay >= cap / 2 ? cap : delay * 2;
  }
}
// ANCHOR_END: retry
