// Exercise: run_pool — a producer, a bounded queue and a fixed number of workers, with a graceful
// shutdown. The producer puts one job in the queue every `interval`; the workers take jobs from
// the queue and handle them. When the shutdown is triggered the producer stops, and the workers
// finish the job in their hands and every job already in the queue: nothing accepted is lost,
// and nothing runs after run_pool returns.
// Read book/src/ch14-exercises.md (exercise 3), then replace the WB_TODO.
// Check your work with:  scripts/workbook check ch14
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>
#include <wb/combinator/select.hpp>
#include <wb/core/contract.hpp>
#include <wb/core/future.hpp>
#include <wb/signal/shutdown_trigger.hpp>
#include <wb/sync/mpsc.hpp>
#include <wb/sync/mutex.hpp>
#include <wb/task/join_handle.hpp>
#include <wb/task/spawn.hpp>
#include <wb/task/task.hpp>
#include <wb/time/sleep.hpp>

// ANCHOR: pool_types
/// One unit of work: the producer makes job i with source(i).
struct Job {
  std::size_t id = 0;
};

struct PoolConfig {
  std::size_t workers = 4;           // jobs handled at once, at most
  std::size_t queue_capacity = 100;  // jobs waiting in the queue, at most
  std::size_t jobs = 20;             // the producer makes jobs 0 .. jobs - 1 ...
  wb::Duration interval = std::chrono::milliseconds(50);  // ... job i at i * interval
};

/// What run_pool did, counted by the pool itself.
struct PoolReport {
  std::size_t accepted = 0;  // jobs the producer put in the queue
  std::size_t finished = 0;  // jobs a worker handled to the end
};

/// Makes job i: called with an index, returns a Job.
template <class S>
concept JobSource = std::copy_constructible<S> && std::is_invocable_r_v<Job, S&, std::size_t>;

/// Handles one job: called with it, returns the future of the work on it (a wb::Task<void>).
template <class H>
concept JobHandler = std::copy_constructible<H> && std::invocable<H&, Job> &&
    wb::Future<std::invoke_result_t<H&, Job>> &&
    std::is_void_v<wb::output_of<std::invoke_result_t<H&, Job>>>;
// ANCHOR_END: pool_types

// ANCHOR: run_pool_stub
/// Runs a producer and `config.workers` workers joined by a queue (a bounded wb::mpsc channel
/// of `config.queue_capacity` jobs):
///   * the producer sends source(0), source(1), ... one every `config.interval` (the first at
///     once), `config.jobs` in all, waiting while the queue is full; it stops as soon as
///     `shutdown` is triggered, even while it waits for room or for its next turn;
///   * each worker takes jobs from the queue one at a time and awaits handle(job);
///   * the workers stop only when the queue is closed (the producer is done) and empty.
/// Returns once every job that was accepted into the queue has been handled to its end.
/// Call it inside a runtime.
template <JobSource S, JobHandler H>
wb::Task<PoolReport> run_pool(PoolConfig config, S source, H handle,
                              wb::signal::ShutdownTrigger shutdown) {
  (void)config;
  (void)source;
  (void)handle;
  (void)shutdown;
  WB_TODO(
      "make a wb::mpsc::channel<Job>(config.queue_capacity); share its receiver between "
      "config.workers spawned workers (a wb::Mutex around it) that loop on recv() and await "
      "handle(job); produce in run_pool itself, racing each send and each pause against "
      "shutdown.wait() with wb::select_biased; let the sender go, then await every worker");
}
// ANCHOR_END: run_pool_stub
