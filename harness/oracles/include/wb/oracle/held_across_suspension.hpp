// wb::oracle::held_across_suspension — catches a lock held across a suspension point. The future
// is wrapped so that every poll counts the CheckedMutex locks its thread holds before and after;
// a poll that returns Pending holding more than it started with suspended with a lock held (a
// std::lock_guard alive in a coroutine frame across a co_await), and the run ends with a verdict.
#pragma once

#include <cstddef>
#include <utility>

#include "wb/core/contract.hpp"
#include "wb/core/future.hpp"
#include "wb/oracle/checked_mutex.hpp"
#include "wb/oracle/drive.hpp"
#include "wb/oracle/verdicts.hpp"

namespace wb::oracle {

// ANCHOR: suspension_lock_check
/// Polls `F` and fails any poll that returns Pending with a checked lock taken and still held.
/// Works under every executor, since it needs nothing but the thread the poll ran on.
template <Future F>
class SuspensionLockCheck {
 public:
  using Output = output_of<F>;

  explicit SuspensionLockCheck(F inner) : inner_(std::move(inner)) {}

  Poll<Output> poll(Context& cx) {
    ++polls_;
    std::size_t const held_before = checked_locks_held();
    auto result = inner_.poll(cx);
    if (result.is_pending() && checked_locks_held() > held_before) {
      throw ContractViolation(
          std::string(verdict::held_across_suspension_check),
          verdict::held_across_suspension(checked_lock_names(held_before), polls_));
    }
    return result;
  }

 private:
  F inner_;
  std::size_t polls_ = 0;
};
// ANCHOR_END: suspension_lock_check

template <Future F>
SuspensionLockCheck<F> check_locks_at_suspension(F future) {
  return SuspensionLockCheck<F>(std::move(future));
}

/// Like parking, and a poll that suspends while holding a CheckedMutex ends the run.
template <Future F>
Outcome<output_of<F>> held_across_suspension(F future, Options const& options = {}) {
  auto checked = check_locks_at_suspension(std::move(future));
  return drive(checked, options, {.name = "held-across-suspension"});
}

}  // namespace wb::oracle
