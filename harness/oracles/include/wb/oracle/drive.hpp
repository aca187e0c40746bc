// wb::oracle::drive — the one loop behind every oracle executor. A Policy says how the oracle
// departs from a plain executor (fresh wakers, spurious polls, polls on other threads); the loop
// enforces the poll contract and throws wb::ContractViolation with a verdict when it is broken.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "wb/core/contract.hpp"
#include "wb/core/future.hpp"
#include "wb/oracle/options.hpp"
#include "wb/oracle/poll_trace.hpp"
#include "wb/oracle/verdicts.hpp"
#include "wb/oracle/wake_log.hpp"
#include "wb/oracle/watchdog.hpp"

namespace wb::oracle {

struct Policy {
  std::string_view name;      // "parking", "waker-swap", … as the verdict names it
  bool wait_for_wake = true;  // false: poll again at once (the spin executor)
  bool fresh_waker_each_poll = false;
  bool spurious_polls = false;  // poll once more, unasked, before waiting for a wake
  bool poll_on_other_threads = false;
  bool wakes_after_ready_fail = false;
  std::chrono::milliseconds after_ready_grace{0};
};

namespace detail {

template <class F>
auto poll_once(F& future, Context& cx, bool on_other_thread) {
  if (!on_other_thread) return future.poll(cx);
  std::optional<decltype(future.poll(cx))> result;
  std::exception_ptr error;
  std::thread([&] {
    try {
      result.emplace(future.poll(cx));
    } catch (...) {
      error = std::current_exception();
    }
  }).join();
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

template <Future F>
Outcome<output_of<F>> drive_loop(F& future, Options const& options, Policy const& policy,
                                 WakeLog& log_ref, PollTrace* trace) {
  using Clock = std::chrono::steady_clock;
  auto* log = &log_ref;
  std::uint64_t generation = 1;
  Waker waker = log->make_waker(generation);
  std::size_t polls = 0;
  std::size_t spurious = 0;
  bool next_is_spurious = false;

  for (;;) {
    if (polls >= options.max_polls) {
      throw ContractViolation(verdict::never_ready(policy.name, polls));
    }
    if (policy.fresh_waker_each_poll && polls + spurious > 0) {
      waker = log->make_waker(++generation);
    }
    log->begin_poll(generation);
    Context cx(waker);
    std::size_t const poll_number = polls + spurious + 1;
    if (trace) trace->poll_started(poll_number, generation, next_is_spurious);

    auto const started = Clock::now();
    auto result = [&] {
      WatchdogScope watch(options.stuck_poll_limit,
                          verdict::stuck_poll(policy.name, poll_number, options.stuck_poll_limit));
      return detail::poll_once(future, cx, policy.poll_on_other_threads);
    }();
    auto const took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    if (trace) trace->poll_ended(poll_number, result.is_ready());
    bool const this_was_spurious = std::exchange(next_is_spurious, false);
    (this_was_spurious ? spurious : polls) += 1;

    if (took > options.max_poll_time) {
      throw ContractViolation(
          verdict::slow_poll(policy.name, poll_number, took, options.max_poll_time));
    }

    if (result.is_ready()) {
      auto const woke_while_ready = log->wakes_this_poll();
      log->mark_finished();
      if (options.expected_polls && polls != *options.expected_polls) {
        throw ContractViolation(verdict::poll_count(policy.name, polls, *options.expected_polls,
                                                    options.expected_polls_because));
      }
      if (policy.wakes_after_ready_fail) {
        if (policy.after_ready_grace.count() > 0)
          std::this_thread::sleep_for(policy.after_ready_grace);
        if (auto late = woke_while_ready + log->wakes_after_finish(); late > 0) {
          throw ContractViolation(verdict::wake_after_ready(late));
        }
      }
      if constexpr (std::is_void_v<output_of<F>>) {
        return {polls, spurious, log->total_wakes()};
      } else {
        return {std::move(result).value(), polls, spurious, log->total_wakes()};
      }
    }

    if (!policy.wait_for_wake) continue;
    if (policy.spurious_polls && !this_was_spurious && !log->woken()) {
      next_is_spurious = true;  // poll again although nobody asked: the future must cope
      continue;
    }
    if (!log->wait_for_wake(Clock::now() + options.deadline, options.stale_grace)) {
      if (log->stale_wakes() > 0) {
        throw ContractViolation(
            verdict::stale_waker(poll_number, log->last_stale_generation(), log->stale_wakes()));
      }
      throw ContractViolation(verdict::never_woken(policy.name, poll_number, options.deadline));
    }
  }
}

}  // namespace detail

template <Future F>
Outcome<output_of<F>> drive(F& future, Options const& options, Policy const& policy) {
  auto log = std::make_shared<WakeLog>();
  // check --trace: the verdict carries the timeline of this run.
  auto const trace = PollTrace::requested() ? std::make_shared<PollTrace>() : nullptr;
  log->set_trace(trace);
  try {
    return detail::drive_loop<F>(future, options, policy, *log, trace.get());
  } catch (ContractViolation const& violation) {
    if (!trace) throw;
    throw ContractViolation(violation.what() + trace->report(policy.name));
  }
}

}  // namespace wb::oracle
