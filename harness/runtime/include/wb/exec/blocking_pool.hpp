// wb::BlockingPool — a bounded pool of threads for calls that block (a file read, a DNS lookup,
// a long computation), so that they never stop an executor's thread. Threads are started when
// work comes and no thread is free, up to a maximum; past it the calls wait in a queue. A thread
// with nothing to do for `keep_alive` ends. The pool is a Scheduler like the executors, so a
// call runs as a task cell and its JoinHandle delivers the result or the exception.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "wb/core/contract.hpp"
#include "wb/exec/run_queue.hpp"
#include "wb/signal/block_ctrl_c.hpp"
#include "wb/task/scheduler.hpp"
#include "wb/task/task_header.hpp"
#include "wb/task/task_list.hpp"
#include "wb/task/task_output.hpp"
#include "wb/task/task_ref.hpp"

namespace wb {

class BlockingPool final : public Scheduler {
 public:
  /// At most `max_threads` calls run at once; the rest wait their turn.
  static std::shared_ptr<BlockingPool> create(
      std::size_t max_threads, std::chrono::milliseconds keep_alive = std::chrono::seconds(10)) {
    if (max_threads == 0) throw ContractViolation("a blocking pool needs at least one thread");
    return std::shared_ptr<BlockingPool>(new BlockingPool(max_threads, keep_alive));
  }

  /// The process-wide pool that wb::spawn_blocking uses: up to 64 threads, each ending after
  /// ten idle seconds. Never shut down (its idle threads simply end).
  static BlockingPool& global() {
    // Made once and never destroyed: a call may still be running when the program exits.
    static std::shared_ptr<BlockingPool> const* const pool =
        new std::shared_ptr<BlockingPool>(create(64));
    return **pool;
  }

  void schedule(TaskRef task) override {
    std::lock_guard lock(mutex_);
    if (closed_) return;  // `task` is released on the way out, after the lock
    queue_.push_back(std::move(task));
    if (idle_ > 0) {
      work_.notify_one();
    } else if (threads_ < max_threads_) {
      ++threads_;
      signal::BlockedCtrlC inherited;  // Ctrl-C is for signal::ctrl_c(), not these threads
      std::thread([self = std::static_pointer_cast<BlockingPool>(shared_from_this())] {
        self->work();
      }).detach();
    }
  }

  bool bind(TaskRef task) override {
    std::lock_guard lock(live_mutex_);
    if (live_closed_) return false;
    live_.push(std::move(task));
    return true;
  }
  bool unbind(TaskHeader& task) noexcept override {
    std::lock_guard lock(live_mutex_);
    return live_.remove(task);
  }
  void visit_live_tasks(std::function<void(TaskHeader const&)> const& visit) override {
    std::lock_guard lock(live_mutex_);
    live_.for_each(visit);
  }

  /// Stops taking calls, waits for the calls that are running to return, and cancels the ones
  /// still waiting (their JoinHandles throw TaskAborted).
  void shut_down() {
    RunQueue<TaskRef> queued;
    {
      std::unique_lock lock(mutex_);
      closed_ = true;
      work_.notify_all();
      all_gone_.wait(lock, [&] { return threads_ == 0; });
      std::swap(queued, queue_);
    }
    queued.clear();
    {
      std::lock_guard lock(live_mutex_);
      live_closed_ = true;
    }
    for (;;) {
      TaskRef task;
      {
        std::lock_guard lock(live_mutex_);
        task = live_.pop_front();
      }
      if (!task) break;
      task->shut_down();
    }
  }

  std::size_t max_threads() const noexcept { return max_threads_; }
  /// True once shut_down() has begun: no call starts any more.
  bool is_closed() {
    std::lock_guard lock(mutex_);
    return closed_;
  }
  /// Threads alive now, running a call or waiting for one.
  std::size_t threads() {
    std::lock_guard lock(mutex_);
    return threads_;
  }

 private:
  BlockingPool(std::size_t max_threads, std::chrono::milliseconds keep_alive)
      : max_threads_(max_threads), keep_alive_(keep_alive) {}

  void work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      if (closed_) break;
      if (!queue_.empty()) {
        TaskRef task = queue_.pop_front();
        lock.unlock();
        task.leak()->run();  // the blocking call; run() consumes the queue's reference
        lock.lock();
        continue;
      }
      ++idle_;
      bool const woken =
          work_.wait_for(lock, keep_alive_, [&] { return closed_ || !queue_.empty(); });
      --idle_;
      if (!woken) break;  // idle for keep_alive: this thread ends
    }
    --threads_;
    all_gone_.notify_all();
  }

  std::size_t const max_threads_;
  std::chrono::milliseconds const keep_alive_;
  std::mutex mutex_;  // guards the queue and the counts
  std::condition_variable work_;
  std::condition_variable all_gone_;
  RunQueue<TaskRef> queue_;
  std::size_t threads_ = 0;
  std::size_t idle_ = 0;
  bool closed_ = false;
  std::mutex live_mutex_;
  TaskList live_;
  bool live_closed_ = false;
};

}  // namespace wb
