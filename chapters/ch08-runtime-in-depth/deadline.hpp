// Exercise: spawn_with_deadline — runs a job as a task of its own and waits for it at most
// `limit`. If the job finishes in time, its output; if not, wb::Elapsed — and the job must then
// be stopped, not left running in the background.
// Read book/src/ch08-runtime-in-depth.md, then replace the WB_TODO.
// Check your work with:  scripts/workbook check ch08
#pragma once

#include <utility>
#include <wb/core/contract.hpp>
#include <wb/core/expected.hpp>
#include <wb/core/future.hpp>
#include <wb/task/abort_handle.hpp>
#include <wb/task/join_handle.hpp>
#include <wb/task/spawn.hpp>
#include <wb/task/task.hpp>
#include <wb/time/clock.hpp>
#include <wb/time/timeout.hpp>

// ANCHOR: deadline_stub
/// Spawns `job` and waits for it at most `limit`: its output, or Elapsed once the time is up,
/// by which time the task has been told to stop. Call it (and co_await it) inside a runtime.
template <wb::Future F>
wb::Task<wb::Expected<wb::output_of<F>, wb::Elapsed>> spawn_with_deadline(F job,
                                                                          wb::Duration limit) {
  (void)job;
  (void)limit;
  WB_TODO(
      "spawn the job and await its JoinHandle under wb::timeout(limit, ...); when the time "
      "runs out, make sure the task stops (dropping its JoinHandle does not stop it)");
}
// ANCHOR_END: deadline_stub
