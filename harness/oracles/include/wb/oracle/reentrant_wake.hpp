// wb::oracle::reentrant_wake — an oracle executor that polls the future again from inside wake(),
// before wake() returns, as an inline executor does. It turns two mistakes that no other oracle
// sees into verdicts: waking while holding a lock that poll needs, and waking before the state
// that makes the future Ready has been written.
//
// Design. The first poll runs on the caller's thread. After a Pending, every wake that finds no
// poll running polls the future at once and returns only when that poll is over (a wake that
// comes while a poll runs asks for one more poll after it, as any executor does). That is what an
// inline executor does, with one change: the poll runs on a stand-in thread while the waking
// thread waits in wake(). Run on the waking thread itself, a poll that locks a std::mutex the
// waker still holds locks it twice on one thread: undefined behaviour, in practice a hang that
// only the process-ending watchdog could report, taking the tests after it down too. Nothing
// outside the future can ask a std::mutex who holds it, so the oracle tests the effect instead:
// a poll that cannot finish while wake() is running (within `Options::wake_poll_limit`) waits for
// something the waking code holds, and the waking code gets its wake() back after that limit so
// the lock is released, the stand-in's poll finishes and the process goes on with a verdict.
// The order of events is the inline executor's exactly: the poll happens before wake() returns,
// so a future that wakes before marking itself done is polled while it still says Pending.
// A poll that never returns even after wake() gave up is left to the blocking watchdog.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "wb/core/contract.hpp"
#include "wb/core/future.hpp"
#include "wb/core/waker.hpp"
#include "wb/oracle/options.hpp"
#include "wb/oracle/verdicts.hpp"
#include "wb/oracle/watchdog.hpp"

namespace wb::oracle {

namespace detail {

struct ReentrantWakeState {
  enum class Phase { polling, idle, done };

  std::mutex mutex;
  std::condition_variable changed;
  Phase phase = Phase::polling;
  bool notified = false;  // woken while a poll ran: poll once more after it
  bool live = true;       // false once the oracle is returning: wakes do nothing then
  std::size_t polls = 0;
  std::size_t pendings = 0;           // polls that returned Pending and found nothing to do
  bool last_pending_in_wake = false;  // the latest Pending came from a poll run inside wake()
  std::size_t wakes = 0;
  std::optional<std::string> verdict;
  std::exception_ptr error;
  std::vector<std::thread> stand_ins;
  std::chrono::milliseconds wake_poll_limit{1000};
  /// Polls until Pending with no wake in between, or Ready, or an error; `in_wake` says
  /// whether it runs on behalf of a wake() call. Set by the oracle, valid while `live`.
  std::function<void(bool in_wake)> run_polls;

  void on_wake() {
    std::unique_lock lock(mutex);
    ++wakes;
    if (!live || phase == Phase::done || verdict) return;
    if (phase == Phase::polling) {
      notified = true;
      return;
    }
    phase = Phase::polling;
    std::size_t const poll = polls + 1;
    auto finished = std::make_shared<bool>(false);
    stand_ins.emplace_back([this, finished] {
      run_polls(true);
      {
        std::lock_guard done(mutex);
        *finished = true;
      }
      changed.notify_all();
    });
    if (!changed.wait_for(lock, wake_poll_limit, [&] { return *finished; })) {
      verdict = verdict::woke_under_lock(poll, wake_poll_limit);
      changed.notify_all();
    }
  }
};

struct ReentrantWakeHandle {
  std::shared_ptr<ReentrantWakeState> state;
  void wake() { state->on_wake(); }
};

}  // namespace detail

// ANCHOR: reentrant_wake
/// Polls once; after a Pending, each wake polls the future again from inside wake(), before
/// wake() returns. `then`, when given, is called once on this thread after the first Pending,
/// while no poll runs: the place to set the flag or complete the operation the future waits for.
template <Future F>
Outcome<output_of<F>> reentrant_wake(F future, Options const& options = {},
                                     std::function<void()> then = {}) {
  using Output = output_of<F>;
  using State = detail::ReentrantWakeState;
  constexpr std::string_view name = "re-entrant-wake";

  auto state = std::make_shared<State>();
  state->wake_poll_limit = options.wake_poll_limit;
  Waker const waker =
      waker_from(std::make_shared<detail::ReentrantWakeHandle>(detail::ReentrantWakeHandle{state}));
  std::optional<std::conditional_t<std::is_void_v<Output>, bool, Output>> output;

  state->run_polls = [&](bool in_wake) {
    for (;;) {
      std::size_t poll = 0;
      {
        std::lock_guard lock(state->mutex);
        state->notified = false;
        poll = ++state->polls;
      }
      bool ready = false;
      try {
        WatchdogScope watch(options.stuck_poll_limit, verdict::watchdog_name(name),
                            verdict::stuck_poll(name, poll, options.stuck_poll_limit));
        Context cx(waker);
        auto result = future.poll(cx);
        if (result.is_ready()) {
          ready = true;
          if constexpr (std::is_void_v<Output>) {
            output.emplace(true);
          } else {
            output.emplace(std::move(result).value());
          }
        }
      } catch (...) {
        std::lock_guard lock(state->mutex);
        state->error = std::current_exception();
        state->phase = State::Phase::done;
        state->changed.notify_all();
        return;
      }
      std::lock_guard lock(state->mutex);
      if (ready) {
        state->phase = State::Phase::done;
      } else if (state->polls >= options.max_polls) {
        state->verdict = verdict::never_ready(name, state->polls);
        state->phase = State::Phase::done;
      } else if (state->notified) {
        continue;
      } else {
        state->phase = State::Phase::idle;
        state->last_pending_in_wake = in_wake;
        ++state->pendings;
      }
      state->changed.notify_all();
      return;
    }
  };

  state->run_polls(false);

  std::exception_ptr then_error;
  if (then) {
    bool idle = false;
    {
      std::lock_guard lock(state->mutex);
      idle = state->phase == State::Phase::idle;
    }
    if (idle) {
      try {
        then();
      } catch (...) {
        then_error = std::current_exception();
      }
    }
  }

  std::vector<std::thread> stand_ins;
  {
    std::unique_lock lock(state->mutex);
    for (;;) {
      if (then_error || state->verdict || state->error || state->phase == State::Phase::done) {
        break;
      }
      if (state->phase == State::Phase::polling) {  // a stand-in polls: the watchdog guards it
        state->changed.wait(lock);
        continue;
      }
      auto const seen = state->pendings;
      if (!state->changed.wait_for(lock, options.deadline, [&] {
            return state->verdict || state->error || state->phase != State::Phase::idle ||
                   state->pendings != seen;
          })) {
        state->verdict = state->last_pending_in_wake
                             ? verdict::pending_inside_wake(state->polls, options.deadline)
                             : verdict::never_woken(name, state->polls, options.deadline);
      }
    }
    state->live = false;  // no more stand-ins: the future is about to go away
    stand_ins = std::move(state->stand_ins);
  }
  for (auto& thread : stand_ins) thread.join();

  std::lock_guard lock(state->mutex);
  state->run_polls = nullptr;  // it refers to this frame
  if (then_error) std::rethrow_exception(then_error);
  if (state->error) std::rethrow_exception(state->error);
  if (state->verdict) throw ContractViolation(verdict::oracle_name(name), *state->verdict);
  if (options.expected_polls && state->polls != *options.expected_polls) {
    throw ContractViolation(verdict::oracle_name(name),
                            verdict::poll_count(name, state->polls, *options.expected_polls,
                                                options.expected_polls_because));
  }
  if constexpr (std::is_void_v<Output>) {
    return {state->polls, 0, state->wakes};
  } else {
    return {std::move(*output), state->polls, 0, state->wakes};
  }
}
// ANCHOR_END: reentrant_wake

}  // namespace wb::oracle
