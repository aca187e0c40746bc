// wb::ThreadPoolExecutor — a multi-threaded executor: N worker threads take tasks from one shared
// run queue; a worker with nothing to do goes idle through the driver's park(). One queue
// under one mutex is the simplest design that is fair and correct; a work-stealing design (a
// queue per worker) scales further at the price of much more code.
//
// What a future spawned here must own — the C++ face of Rust's `'static + Send`:
//   * Nothing on the spawner's stack. The task may run after the spawning function returned, so
//     it must own its data (capture by value, move it in) or share it through std::shared_ptr:
//     no references or pointers to locals. (Rust's 'static.)
//   * Only thread-safe sharing. Each poll may run on a different worker, and other tasks run at
//     the same time: whatever the future touches that another thread also touches must be
//     synchronized — atomics, a mutex, or a channel. (Rust's Send and Sync.)
// The compiler checks neither; ThreadSanitizer checks the second (build with
// -DWB_SANITIZERS=thread). A future that cannot meet them belongs on a LocalExecutor.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "wb/core/contract.hpp"
#include "wb/core/future.hpp"
#include "wb/exec/driver.hpp"
#include "wb/signal/block_ctrl_c.hpp"
#include "wb/task/join_handle.hpp"
#include "wb/task/poll_stamp.hpp"
#include "wb/task/scheduler.hpp"
#include "wb/task/spawn.hpp"
#include "wb/task/task_header.hpp"
#include "wb/task/task_list.hpp"
#include "wb/task/task_queue.hpp"
#include "wb/task/task_ref.hpp"

namespace wb {

class ThreadPoolExecutor {
 public:
  explicit ThreadPoolExecutor(std::size_t workers, Clock::Kind clock = Clock::Kind::real)
      : driver_(std::make_shared<Driver>(clock)),
        scheduler_(std::make_shared<PoolScheduler>(driver_)) {
    if (workers == 0) throw ContractViolation("a thread pool needs at least one worker");
    scheduler_->start(workers);
  }
  ThreadPoolExecutor(ThreadPoolExecutor const&) = delete;
  ThreadPoolExecutor& operator=(ThreadPoolExecutor const&) = delete;

  /// Stops the workers (each finishes the poll it is in), then cancels every task still alive.
  ~ThreadPoolExecutor() { scheduler_->shut_down(); }

  /// Queues `future` as a task; any worker may poll it. See the top of this file for what it
  /// must own. Any thread may call spawn.
  template <Future F>
  JoinHandle<output_of<F>> spawn(F future, SpawnSite where = {}) {
    return spawn_on(*scheduler_, TaskName{nullptr, where}, std::move(future));
  }

  /// Polls `future` on the calling thread until it is Ready, while the workers run the tasks.
  template <Future F>
  output_of<F> block_on(F future) {
    if (Scheduler::current() != nullptr) {
      throw ContractViolation(
          "block_on was called inside a runtime, which would stop that runtime's thread until "
          "the future is done: co_await the future instead");
    }
    Scheduler::Enter in_scheduler(*scheduler_);
    Driver::Enter in_driver(*driver_);
    auto main = std::make_shared<MainWake>(driver_);
    struct Detach {
      MainWake& main;
      ~Detach() { main.detach(); }
    } detach{*main};
    Waker waker = waker_from(main);
    Context cx(waker);
    for (;;) {
      auto result = future.poll(cx);
      if (result.is_ready()) return std::move(result).value();
      main->wait();
    }
  }

  TimerDriver& timer_driver() noexcept { return driver_->timers(); }
  IoDriver& io_driver() noexcept { return driver_->io(); }
  Driver& driver() noexcept { return *driver_; }
  Scheduler& scheduler() noexcept { return *scheduler_; }
  std::size_t workers() const noexcept { return scheduler_->workers(); }
  std::size_t live_tasks() const { return scheduler_->live_tasks(); }

 private:
  class PoolScheduler final : public Scheduler {
   public:
    explicit PoolScheduler(std::shared_ptr<Driver> driver) : driver_(std::move(driver)) {}

    void start(std::size_t count) {
      for (std::size_t i = 0; i < count; ++i)
        workers_.push_back(std::make_unique<Worker>(*driver_));
      signal::BlockedCtrlC workers_block_ctrl_c;  // inherited: Ctrl-C is for signal::ctrl_c()
      for (auto& worker : workers_) {
        worker->thread = std::thread([this, w = worker.get()] { work(*w); });
      }
    }

    void schedule(TaskRef task) override {
      std::lock_guard lock(mutex_);
      if (closed_) return;  // `task` is released on the way out, after the lock
      queue_.push_back(std::move(task));
      if (!idle_.empty()) {
        Worker* idle = idle_.back();
        idle_.pop_back();
        idle->listed_idle = false;
        // Unparked under the lock: once closed_ is set, shut_down() destroys the workers, and
        // a wake from outside the pool must not reach a worker that is gone.
        driver_->unpark(idle->slot);
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

    std::size_t workers() const noexcept { return workers_.size(); }
    std::size_t worker_threads() const noexcept override { return workers(); }
    std::size_t live_tasks() const {
      std::lock_guard lock(live_mutex_);
      return live_.size();
    }

    void shut_down() {
      {
        std::lock_guard lock(mutex_);
        closed_ = true;
      }
      for (auto& worker : workers_) driver_->unpark(worker->slot);
      for (auto& worker : workers_) worker->thread.join();
      TaskQueue queued;
      {
        std::lock_guard lock(mutex_);
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
      workers_.clear();  // their park slots leave the driver
    }

   private:
    struct Worker {
      explicit Worker(Driver& driver) : slot(driver, Driver::ParkSlot::Role::worker) {}
      Driver::ParkSlot slot;
      bool listed_idle = false;  // guarded by the scheduler's mutex
      std::thread thread;
    };

    // ANCHOR: worker_loop
    void work(Worker& me) {
      Scheduler::Enter in_scheduler(*this);
      Driver::Enter in_driver(*driver_);
      for (unsigned ran = 1;; ++ran) {
        TaskRef task;
        {
          std::lock_guard lock(mutex_);
          if (closed_) return;
          if (!queue_.empty()) {
            task = queue_.pop_front();
          } else if (!me.listed_idle) {
            idle_.push_back(&me);  // schedule() unparks a listed worker when work comes
            me.listed_idle = true;
          }
        }
        if (task) {
          if (ran % 64 == 1) PollStamp::refresh();  // the time tasks record as their latest poll
          task.leak()->run();                       // run() consumes the queue's reference
          // Busy, but due timers must still fire and ready sockets be taken in.
          if (ran % 64 == 0) driver_->poll_now(true);
        } else {
          driver_->park(me.slot);  // until unparked, the next timer is due or an fd is ready
          ran = 0;                 // so the next task refreshes the poll stamp
        }
      }
    }
    // ANCHOR_END: worker_loop

    std::shared_ptr<Driver> driver_;
    std::mutex mutex_;  // guards the queue, the idle list and closed_
    TaskQueue queue_;
    std::vector<Worker*> idle_;
    bool closed_ = false;
    mutable std::mutex live_mutex_;
    TaskList live_;
    bool live_closed_ = false;
    std::vector<std::unique_ptr<Worker>> workers_;
  };

  // The waker of the future given to block_on, and the park slot of the thread that waits for
  // it. The slot leaves the driver when block_on returns, though the waker may live on.
  class MainWake {
   public:
    explicit MainWake(std::shared_ptr<Driver> driver)
        : driver_(std::move(driver)), slot_(std::in_place, *driver_) {}
    void wake() {
      woken_.store(true, std::memory_order_release);
      std::lock_guard lock(mutex_);
      if (slot_) driver_->unpark(*slot_);
    }
    void wait() {
      while (!woken_.exchange(false, std::memory_order_acq_rel)) driver_->park(*slot_);
    }
    void detach() {
      std::lock_guard lock(mutex_);
      slot_.reset();
    }

   private:
    std::shared_ptr<Driver> driver_;
    std::atomic<bool> woken_{false};
    std::mutex mutex_;
    std::optional<Driver::ParkSlot> slot_;
  };

  std::shared_ptr<Driver> driver_;
  std::shared_ptr<PoolScheduler> scheduler_;
};

}  // namespace wb
