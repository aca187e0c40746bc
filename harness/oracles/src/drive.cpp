#include "wb/oracle/drive.hpp"

#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <thread>
#include <utility>

#include "wb/oracle/poll_stopwatch.hpp"
#include "wb/oracle/poll_trace.hpp"
#include "wb/oracle/verdicts.hpp"
#include "wb/oracle/wake_log.hpp"
#include "wb/oracle/watchdog.hpp"

namespace wb::oracle::detail {

namespace {

bool poll_once(ErasedFuture future, Context& cx, bool on_other_thread) {
  if (!on_other_thread) return future.poll(future.self, cx);
  bool ready = false;
  std::exception_ptr error;
  std::thread([&] {
    try {
      ready = future.poll(future.self, cx);
    } catch (...) {
      error = std::current_exception();
    }
  }).join();
  if (error) std::rethrow_exception(error);
  return ready;
}

Counts drive_loop(ErasedFuture future, Options const& options, Policy const& policy,
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
      throw ContractViolation(verdict::oracle_name(policy.name),
                              verdict::never_ready(policy.name, polls));
    }
    if (policy.fresh_waker_each_poll && polls + spurious > 0) {
      waker = log->make_waker(++generation);
    }
    log->begin_poll(generation);
    Context cx(waker);
    std::size_t const poll_number = polls + spurious + 1;
    if (trace) trace->poll_started(poll_number, generation, next_is_spurious);

    PollStopwatch stopwatch;
    bool const ready = [&] {
      WatchdogScope watch(options.stuck_poll_limit, verdict::watchdog_name(policy.name),
                          verdict::stuck_poll(policy.name, poll_number, options.stuck_poll_limit));
      stopwatch.start();
      bool const polled_ready = poll_once(future, cx, policy.poll_on_other_threads);
      stopwatch.stop();
      return polled_ready;
    }();
    if (trace) trace->poll_ended(poll_number, ready);
    bool const this_was_spurious = std::exchange(next_is_spurious, false);
    (this_was_spurious ? spurious : polls) += 1;

    // Judged by time only where the poll slept or kept the CPU busy: a thread a loaded machine
    // preempted has blocked nothing.
    if (stopwatch.blocked_longer_than(options.max_poll_time)) {
      throw ContractViolation(
          verdict::watchdog_name(policy.name),
          verdict::slow_poll(policy.name, poll_number, stopwatch.took(), options.max_poll_time));
    }

    if (ready) {
      auto const woke_while_ready = log->wakes_this_poll();
      log->mark_finished();
      if (options.expected_polls && polls != *options.expected_polls) {
        throw ContractViolation(verdict::oracle_name(policy.name),
                                verdict::poll_count(policy.name, polls, *options.expected_polls,
                                                    options.expected_polls_because));
      }
      if (policy.wakes_after_ready_fail) {
        if (policy.after_ready_grace.count() > 0)
          std::this_thread::sleep_for(policy.after_ready_grace);
        if (auto late = woke_while_ready + log->wakes_after_finish(); late > 0) {
          throw ContractViolation(std::string(verdict::after_ready_oracle),
                                  verdict::wake_after_ready(late));
        }
      }
      return {polls, spurious, log->total_wakes()};
    }

    if (!policy.wait_for_wake) continue;
    if (policy.spurious_polls && !this_was_spurious && !log->woken()) {
      next_is_spurious = true;  // poll again although nobody asked: the future must cope
      continue;
    }
    if (!log->wait_for_wake(Clock::now() + options.deadline, options.stale_grace)) {
      if (log->stale_wakes() > 0) {
        throw ContractViolation(
            std::string(verdict::waker_swap_oracle),
            verdict::stale_waker(poll_number, log->last_stale_generation(), log->stale_wakes()));
      }
      throw ContractViolation(verdict::oracle_name(policy.name),
                              verdict::never_woken(policy.name, poll_number, options.deadline));
    }
  }
}

}  // namespace

Counts drive_erased(ErasedFuture future, Options const& options, Policy const& policy) {
  auto log = std::make_shared<WakeLog>();
  // check --trace: the verdict carries the timeline of this run.
  auto const trace =
      options.trace || PollTrace::requested() ? std::make_shared<PollTrace>() : nullptr;
  log->set_trace(trace);
  try {
    return drive_loop(future, options, policy, *log, trace.get());
  } catch (ContractViolation const& violation) {
    if (!trace) throw;
    throw ContractViolation(violation.oracle(), violation.what(), trace->text(policy.name),
                            trace->mermaid(policy.name));
  }
}

}  // namespace wb::oracle::detail
