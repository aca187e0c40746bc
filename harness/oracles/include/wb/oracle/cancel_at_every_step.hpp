// wb::oracle::cancel_at_every_step — drops a future after poll 1, then (on a fresh world) after
// poll 2, and so on until a run reaches Ready, checking an invariant of the world after every
// drop and after the complete run. Each run is on its own paused virtual clock, so "after poll 2"
// is the same moment on every machine, and the verdict can say when it was.
//
//   cancel_at_every_step(
//       [] { return Bank({{"alice", 100}, {"bob", 0}}); },            // a fresh world per run
//       [](Bank& bank) { return transfer(bank, "alice", "bob", 60); },  // the future under test
//       [](Bank const& bank) { return bank.what_is_wrong(); });         // "" when all is well
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "wb/core/contract.hpp"
#include "wb/core/future.hpp"
#include "wb/oracle/options.hpp"
#include "wb/oracle/verdicts.hpp"
#include "wb/oracle/wake_log.hpp"
#include "wb/oracle/watchdog.hpp"
#include "wb/time/timer_driver.hpp"

namespace wb::oracle {

/// The complete run's output, how many polls it took, and how many runs were dropped before it.
template <class T>
struct CancelOutcome {
  T value;
  std::size_t polls = 0;         // polls of the run that reached Ready
  std::size_t dropped_runs = 0;  // runs dropped after poll 1, 2, … polls - 1
  Duration elapsed{};            // virtual time of the complete run
};

template <>
struct CancelOutcome<void> {
  std::size_t polls = 0;
  std::size_t dropped_runs = 0;
  Duration elapsed{};
};

namespace detail {

inline long long whole_ms(Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

}  // namespace detail

// ANCHOR: cancel_at_every_step
template <class MakeWorld, class MakeFuture, class Check>
auto cancel_at_every_step(MakeWorld make_world, MakeFuture make_future, Check check,
                          Options const& options = {}) {
  constexpr std::string_view name = "cancel-at-every-step";
  using World = std::invoke_result_t<MakeWorld&>;
  using F = std::invoke_result_t<MakeFuture&, World&>;
  using T = output_of<F>;

  for (std::size_t drop_after = 1;; ++drop_after) {
    World world = make_world();  // a fresh world for every run
    auto timers = std::make_shared<TimerDriver>(Clock::Kind::paused);
    TimerDriver::Enter in_virtual_time(*timers);
    Instant const start = timers->now();
    auto log = std::make_shared<WakeLog>();
    Waker waker = log->make_waker(1);
    Context cx(waker);
    std::optional<F> future(make_future(world));

    for (std::size_t poll = 1; poll <= drop_after; ++poll) {
      if (poll > options.max_polls)
        throw ContractViolation(verdict::oracle_name(name), verdict::never_ready(name, poll - 1));
      log->begin_poll(1);
      auto result = [&] {
        WatchdogScope watch(options.stuck_poll_limit, verdict::watchdog_name(name),
                            verdict::stuck_poll(name, poll, options.stuck_poll_limit));
        return future->poll(cx);
      }();
      if (result.is_ready()) {
        Duration const elapsed = timers->now() - start;
        future.reset();
        if (std::string broken = check(std::as_const(world)); !broken.empty()) {
          throw ContractViolation(verdict::oracle_name(name),
                                  verdict::broken_after_completion(poll, broken));
        }
        if constexpr (std::is_void_v<T>) {
          return CancelOutcome<void>{poll, drop_after - 1, elapsed};
        } else {
          return CancelOutcome<T>{std::move(result).value(), poll, drop_after - 1, elapsed};
        }
      }
      if (poll == drop_after) break;
      // Pending: as in the virtual-time oracle, jump from timer to timer until it is woken.
      while (!log->woken() && timers->advance_to_next_timer()) {
      }
      if (!log->woken() && !log->wait_for_wake(std::chrono::steady_clock::now() + options.deadline,
                                               options.stale_grace)) {
        throw ContractViolation(verdict::oracle_name(name),
                                verdict::never_woken(name, poll, options.deadline));
      }
    }

    Duration const dropped_at = timers->now() - start;
    future.reset();  // cancelled, the way a timeout or a select cancels it
    if (std::string broken = check(std::as_const(world)); !broken.empty()) {
      throw ContractViolation(
          verdict::oracle_name(name),
          verdict::broken_by_cancellation(drop_after, detail::whole_ms(dropped_at), broken));
    }
  }
}
// ANCHOR_END: cancel_at_every_step

}  // namespace wb::oracle
