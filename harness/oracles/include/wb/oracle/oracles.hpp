// The oracle executors: each drives a future to completion like a normal executor would, while
// enforcing one rule of the poll contract. A broken rule ends the run with wb::ContractViolation
// whose message says, in plain words, what the future did wrong.
#pragma once

#include <utility>

#include "wb/oracle/drive.hpp"
#include "wb/oracle/reentrant_wake.hpp"  // polls again from inside wake()

namespace wb::oracle {

// ANCHOR: oracles
/// Polls in a loop without waiting: checks only the result (and that it ever comes).
template <Future F>
Outcome<output_of<F>> spin(F future, Options const& options = {}) {
  return drive(future, options, {.name = "spin", .wait_for_wake = false});
}

/// Sleeps after Pending until the waker fires; a wake that never comes is a hang.
template <Future F>
Outcome<output_of<F>> parking(F future, Options const& options = {}) {
  return drive(future, options, {.name = "parking"});
}

/// Adds a poll nobody asked for after each Pending: a future must re-check its condition.
template <Future F>
Outcome<output_of<F>> spurious(F future, Options const& options = {}) {
  return drive(future, options, {.name = "spurious-poll", .spurious_polls = true});
}

/// Hands the future a new waker at every poll and honours only the newest.
template <Future F>
Outcome<output_of<F>> waker_swap(F future, Options const& options = {}) {
  return drive(future, options, {.name = "waker-swap", .fresh_waker_each_poll = true});
}

/// Polls each time on a different thread while wakes may come from anywhere.
template <Future F>
Outcome<output_of<F>> threaded(F future, Options const& options = {}) {
  return drive(future, options, {.name = "threaded", .poll_on_other_threads = true});
}

/// Like parking, then watches for wakes after Ready: a finished future must be quiet.
template <Future F>
Outcome<output_of<F>> after_ready(F future, Options const& options = {}) {
  return drive(future, options,
               {.name = "after-ready", .wakes_after_ready_fail = true,
                .after_ready_grace = std::chrono::milliseconds(20)});
}
// ANCHOR_END: oracles

}  // namespace wb::oracle
