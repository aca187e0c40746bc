// Mutant: awaits the job under the timeout without spawning it: it runs inside the caller's task.
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

// ANCHOR: deadline
template <wb::Future F>
wb::Task<wb::Expected<wb::output_of<F>, wb::Elapsed>> spawn_with_deadline(F job,
                                                                          wb::Duration limit) {
  co_return co_await wb::timeout(limit, std::move(job));  // not spawned: runs inside this task
}
// ANCHOR_END: deadline
