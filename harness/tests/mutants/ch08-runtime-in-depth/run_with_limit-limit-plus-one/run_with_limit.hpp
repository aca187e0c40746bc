// Mutant: an off-by-one limit — the semaphore has limit + 1 permits.
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

template <class J>
concept Job =
    std::move_constructible<J> && std::invocable<J&> && wb::Future<std::invoke_result_t<J&>> &&
    !std::is_void_v<wb::output_of<std::invoke_result_t<J&>>>;

template <Job J>
using job_output = wb::output_of<std::invoke_result_t<J&>>;

// ANCHOR: limited_job
/// One job as a task: wait for a permit, then run the job while holding it. Everything the task
/// uses is a parameter, so it lives in the coroutine frame: nothing points at the caller.
template <Job J>
wb::Task<job_output<J>> limited(std::shared_ptr<wb::Semaphore> semaphore, J job) {
  auto permit = co_await semaphore->acquire_owned();  // named: it is held until the return
  if (!permit) throw wb::ContractViolation("the semaphore of run_with_limit was closed");
  co_return co_await job();
}
// ANCHOR_END: limited_job

// ANCHOR: run_with_limit
template <Job J>
wb::Task<std::vector<job_output<J>>> run_with_limit(std::vector<J> jobs, std::size_t limit) {
  auto semaphore = std::make_shared<wb::Semaphore>(limit + 1);
  std::vector<wb::JoinHandle<job_output<J>>> handles;
  handles.reserve(jobs.size());
  for (auto& job : jobs) handles.push_back(wb::spawn(limited(semaphore, std::move(job))));

  std::vector<job_output<J>> outputs;
  outputs.reserve(handles.size());
  for (auto& handle : handles) outputs.push_back(co_await handle);  // in job order
  co_return outputs;
}
// ANCHOR_END: run_with_limit
