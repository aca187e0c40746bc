// Reference solution: run_pool — the producer runs in run_pool's own task and races every send
// and every pause against the shutdown; the workers share the queue's receiver behind an async
// mutex and ignore the shutdown: they stop when the queue is closed and empty, which is what
// drains it. run_pool awaits every worker before it returns.
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

// ANCHOR: producer
/// Sends source(0), source(1), ... one every interval until `jobs` are sent or the shutdown
/// comes; returns how many were accepted into the queue.
template <JobSource S>
wb::Task<std::size_t> produce(wb::mpsc::Sender<Job> queue, PoolConfig config, S source,
                              wb::signal::ShutdownTrigger shutdown) {
  std::size_t accepted = 0;
  for (std::size_t i = 0; i < config.jobs; ++i) {
    // A send waits while the queue is full: the shutdown must be able to end that wait too.
    auto stop = shutdown.wait();
    auto send = queue.send(source(i));
    auto sent = co_await wb::select_biased(std::move(stop), std::move(send));
    if (sent.index() == 0) break;   // shut down: the job in the send is dropped, not queued
    if (!std::get<1>(sent)) break;  // the workers are gone
    ++accepted;
    auto stop_pausing = shutdown.wait();
    auto pause = wb::sleep(config.interval);
    auto woke = co_await wb::select_biased(std::move(stop_pausing), std::move(pause));
    if (woke.index() == 0) break;
  }
  co_return accepted;
}  // the sender is destroyed here: the queue is closed, and the workers drain what is in it
// ANCHOR_END: producer

// ANCHOR: worker
using SharedQueue = std::shared_ptr<wb::Mutex<wb::mpsc::Receiver<Job>>>;

/// Takes jobs one at a time until the queue is closed and empty; returns how many it handled.
template <JobHandler H>
wb::Task<std::size_t> work(SharedQueue queue, H handle) {
  std::size_t finished = 0;
  for (;;) {
    std::optional<Job> job;
    {
      auto receiver = co_await queue->lock();  // one worker waits on recv() at a time
      auto next = co_await receiver->recv();
      if (!next) break;  // closed and empty: every accepted job has been taken
      job.emplace(std::move(*next));
    }  // the lock is let go before the work, so the other workers can take jobs meanwhile
    co_await handle(std::move(*job));
    ++finished;
  }
  co_return finished;
}
// ANCHOR_END: worker

// ANCHOR: run_pool
template <JobSource S, JobHandler H>
wb::Task<PoolReport> run_pool(PoolConfig config, S source, H handle,
                              wb::signal::ShutdownTrigger shutdown) {
  auto channel = wb::mpsc::channel<Job>(config.queue_capacity);
  auto queue = std::make_shared<wb::Mutex<wb::mpsc::Receiver<Job>>>(std::move(channel.second));
  std::vector<wb::JoinHandle<std::size_t>> workers;
  for (std::size_t w = 0; w < config.workers; ++w)
    workers.push_back(wb::spawn(work(queue, handle)));
  queue.reset();  // the workers hold the receiver now

  PoolReport report;
  report.accepted =
      co_await produce(std::move(channel.first), config, std::move(source), std::move(shutdown));
  // The producer is done and its sender gone: each worker ends once the queue is empty.
  for (auto& worker : workers) report.finished += co_await worker;
  co_return report;
}
// ANCHOR_END: run_pool
