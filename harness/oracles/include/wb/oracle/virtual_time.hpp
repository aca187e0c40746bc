// wb::oracle::virtual_time — drives a future on a paused virtual clock: whenever the future is
// Pending and nobody has woken it, the clock jumps straight to the next timer. Timer logic is
// checked in microseconds and the same way on every run, and the virtual time the future took
// is part of the outcome (two one-second sleeps joined take one second, not two).
#pragma once

#include <chrono>
#include <memory>
#include <utility>

#include "wb/core/contract.hpp"
#include "wb/core/future.hpp"
#include "wb/oracle/options.hpp"
#include "wb/oracle/verdicts.hpp"
#include "wb/oracle/wake_log.hpp"
#include "wb/oracle/watchdog.hpp"
#include "wb/time/timer_driver.hpp"

namespace wb::oracle {

/// An Outcome plus the virtual time that passed between the first poll and Ready.
template <class T>
struct VirtualOutcome : Outcome<T> {
  Duration elapsed{};
};

// ANCHOR: virtual_time
template <Future F>
VirtualOutcome<output_of<F>> virtual_time(F future, Options const& options = {}) {
  constexpr std::string_view name = "virtual-time";
  auto timers = std::make_shared<TimerDriver>(Clock::Kind::paused);
  TimerDriver::Enter in_virtual_time(*timers);  // wb::sleep and friends use this clock
  Instant const start = timers->now();
  auto log = std::make_shared<WakeLog>();
  Waker waker = log->make_waker(1);
  Context cx(waker);
  std::size_t polls = 0;

  for (;;) {
    if (polls >= options.max_polls)
      throw ContractViolation(verdict::oracle_name(name), verdict::never_ready(name, polls));
    log->begin_poll(1);
    ++polls;
    auto result = [&] {
      WatchdogScope watch(options.stuck_poll_limit, verdict::watchdog_name(name),
                          verdict::stuck_poll(name, polls, options.stuck_poll_limit));
      return future.poll(cx);
    }();
    if (result.is_ready()) {
      if (options.expected_polls && polls != *options.expected_polls) {
        throw ContractViolation(verdict::oracle_name(name),
                                verdict::poll_count(name, polls, *options.expected_polls,
                                                    options.expected_polls_because));
      }
      Duration const elapsed = timers->now() - start;
      if constexpr (std::is_void_v<output_of<F>>) {
        return {{polls, 0, log->total_wakes()}, elapsed};
      } else {
        return {{std::move(result).value(), polls, 0, log->total_wakes()}, elapsed};
      }
    }
    // Pending: nothing can happen before the next deadline unless a wake is on its way, so
    // jump to timer after timer until one of them wakes the future.
    while (!log->woken() && timers->advance_to_next_timer()) {
    }
    if (log->woken()) continue;
    // No timer left: only another thread can wake it now.
    if (!log->wait_for_wake(std::chrono::steady_clock::now() + options.deadline,
                            options.stale_grace)) {
      throw ContractViolation(verdict::oracle_name(name),
                              verdict::never_woken(name, polls, options.deadline));
    }
  }
}
// ANCHOR_END: virtual_time

}  // namespace wb::oracle
