// Reference solution: spawn_with_deadline — spawn, keep an AbortHandle, await the JoinHandle
// under a timeout, and abort the task when the time runs out.
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
  auto handle = wb::spawn(std::move(job));
  wb::AbortHandle abort = handle.abort_handle();  // the JoinHandle is about to go into timeout
  auto result = co_await wb::timeout(limit, std::move(handle));
  if (!result) abort.abort();  // the timeout dropped the JoinHandle: that only detached the task
  co_return result;
}
// ANCHOR_END: deadline
