// Exercise: run_with_limit — runs a list of jobs, each as a task of its own, with at most
// `limit` of them running at any moment, and gives back their outputs in the order of the jobs.
// A job is a callable that returns a future (a wb::Task<T>, say) when it is called.
// Read book/src/ch08-runtime-in-depth.md, then replace the WB_TODO.
// Check your work with:  scripts/workbook check ch08
#pragma once

#include <concepts>
#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>
#include <wb/core/contract.hpp>
#include <wb/core/future.hpp>
#include <wb/sync/semaphore.hpp>
#include <wb/task/join_handle.hpp>
#include <wb/task/spawn.hpp>
#include <wb/task/task.hpp>

// ANCHOR: job_concept
/// Something that, called with no arguments, returns a future with a value.
template <class J>
concept Job =
    std::move_constructible<J> && std::invocable<J&> && wb::Future<std::invoke_result_t<J&>> &&
    !std::is_void_v<wb::output_of<std::invoke_result_t<J&>>>;

template <Job J>
using job_output = wb::output_of<std::invoke_result_t<J&>>;
// ANCHOR_END: job_concept

// ANCHOR: run_with_limit_stub
/// Runs every job as a spawned task, never more than `limit` at once, and returns their
/// outputs in the order of `jobs`. Call it (and co_await it) inside a runtime.
template <Job J>
wb::Task<std::vector<job_output<J>>> run_with_limit(std::vector<J> jobs, std::size_t limit) {
  (void)jobs;
  (void)limit;
  WB_TODO(
      "share a wb::Semaphore of `limit` permits with one spawned task per job; each task holds "
      "a permit while it awaits its job's future; then await the JoinHandles in job order");
}
// ANCHOR_END: run_with_limit_stub
