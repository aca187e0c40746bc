// Mutant: sleeps for the whole limit and only then looks whether the job is done.
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
#include <wb/time/sleep.hpp>
#include <wb/time/timeout.hpp>

// ANCHOR: deadline
template <wb::Future F>
wb::Task<wb::Expected<wb::output_of<F>, wb::Elapsed>> spawn_with_deadline(F job,
                                                                          wb::Duration limit) {
  auto handle = wb::spawn(std::move(job));
  co_await wb::sleep(limit);  // waits the whole limit, then looks
  if (!handle.is_finished()) {
    handle.abort();
    co_return wb::unexpected(wb::Elapsed{});
  }
  co_return co_await handle;
}
// ANCHOR_END: deadline
