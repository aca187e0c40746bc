// wb::LocalExecutor — a single-threaded executor: every task spawned on it runs on the thread
// that calls block_on, one poll at a time, in the order the tasks were woken. When no task can
// run it goes idle through one call, its driver's park() (timers and sockets). Being on one thread,
// a task may share plain (unsynchronized) data with the tasks beside it, as long as the data
// outlives them.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "wb/core/contract.hpp"
#include "wb/core/future.hpp"
#include "wb/exec/driver.hpp"
#include "wb/task/join_handle.hpp"
#include "wb/task/poll_stamp.hpp"
#include "wb/task/scheduler.hpp"
#include "wb/task/spawn.hpp"
#include "wb/task/task_header.hpp"
#include "wb/task/task_list.hpp"
#include "wb/task/task_queue.hpp"
#include "wb/task/task_ref.hpp"

namespace wb {

class LocalExecutor {
 public:
  explicit LocalExecutor(Clock::Kind clock = Clock::Kind::real)
      : driver_(std::make_shared<Driver>(clock)),
        scheduler_(std::make_shared<LocalScheduler>(driver_)) {}
  LocalExecutor(LocalExecutor const&) = delete;
  LocalExecutor& operator=(LocalExecutor const&) = delete;

  /// Cancels every task still alive: their futures are destroyed here, on this thread.
  ~LocalExecutor() { scheduler_->shut_down(); }

  /// Queues `future` as a task; it runs when this thread is inside block_on.
  template <Future F>
  JoinHandle<output_of<F>> spawn_local(F future, SpawnSite where = {}) {
    return spawn_on(*scheduler_, TaskName{nullptr, where}, std::move(future));
  }

  /// Runs `future` (and, meanwhile, every task spawned here) until `future` is Ready.
  template <Future F>
  output_of<F> block_on(F future) {
    InsideBlockOn inside(*this);  // refuses nesting; makes this executor the thread's runtime
    auto main = std::make_shared<MainWake>(scheduler_);
    Waker waker = waker_from(main);
    Context cx(waker);
    unsigned busy_rounds = 0;
    // ANCHOR: local_run_loop
    for (;;) {
      if (main->woken.exchange(false, std::memory_order_acq_rel)) {
        auto result = future.poll(cx);
        if (result.is_ready()) return std::move(result).value();
      }
      // A bounded batch, so that a task that keeps waking itself cannot starve `future`.
      PollStamp::refresh();  // the time its tasks record as their latest poll
      for (int budget = 128; budget > 0; --budget) {
        TaskRef task = scheduler_->next_task();
        if (!task) break;
        task.leak()->run();  // run() consumes the queue's reference
      }
      if (scheduler_->has_ready_tasks() || main->woken.load(std::memory_order_acquire)) {
        // Busy, but timers that came due must still fire, and now and then ready sockets too.
        driver_->poll_now(++busy_rounds % 64 == 0);
      } else {
        scheduler_->park();  // until a waker fires, the next timer is due or an fd is ready
      }
    }
    // ANCHOR_END: local_run_loop
  }

  TimerDriver& timer_driver() noexcept { return driver_->timers(); }
  IoDriver& io_driver() noexcept { return driver_->io(); }
  Driver& driver() noexcept { return *driver_; }
  Scheduler& scheduler() noexcept { return *scheduler_; }
  /// Tasks spawned and not yet finished (for tests and curiosity; not while in block_on).
  std::size_t live_tasks() { return scheduler_->live_tasks(); }

 private:
  class LocalScheduler final : public Scheduler {
   public:
    explicit LocalScheduler(std::shared_ptr<Driver> driver)
        : Scheduler(true), driver_(std::move(driver)), slot_(std::in_place, *driver_) {}

    // ANCHOR: local_schedule
    void schedule(TaskRef task) override {
      if (on_executor_thread()) {  // woken by a task or a timer of this executor: no lock
        ready_.push_back(std::move(task));
        return;
      }
      std::lock_guard lock(mutex_);
      if (closed_) return;  // `task` is released on the way out, after the lock
      remote_.push_back(std::move(task));
      has_remote_.store(true, std::memory_order_seq_cst);
      // Nobody in block_on: the next one looks at remote_ before it parks, no need to unpark.
      if (in_block_on_.load(std::memory_order_seq_cst) && slot_) driver_->unpark(*slot_);
    }
    // ANCHOR_END: local_schedule

    // The live tasks are touched only by the executor's thread; a task spawned from another
    // thread waits in remote_live_ until the executor takes in what was queued remotely.
    bool bind(TaskRef task) override {
      if (on_executor_thread()) {
        live_.push(std::move(task));
        return true;
      }
      std::lock_guard lock(mutex_);
      if (closed_) return false;
      remote_live_.push_back(std::move(task));
      return true;
    }
    bool unbind(TaskHeader& task) noexcept override { return live_.remove(task); }
    void visit_live_tasks(std::function<void(TaskHeader const&)> const& visit) override {
      take_in_remote();
      live_.for_each(visit);
    }

    TaskRef next_task() {
      if (ready_.empty() && has_remote_.load(std::memory_order_acquire)) take_in_remote();
      if (ready_.empty()) return {};
      return ready_.pop_front();
    }
    bool has_ready_tasks() const {
      return !ready_.empty() || has_remote_.load(std::memory_order_seq_cst);
    }
    void enter_block_on() { in_block_on_.store(true, std::memory_order_seq_cst); }
    void leave_block_on() { in_block_on_.store(false, std::memory_order_seq_cst); }
    void park() { driver_->park(*slot_); }
    void unpark() {
      std::lock_guard lock(mutex_);
      if (slot_) driver_->unpark(*slot_);
    }
    std::size_t live_tasks() {
      take_in_remote();
      return live_.size();
    }

    void shut_down() {
      std::vector<TaskRef> queued;
      {
        std::lock_guard lock(mutex_);
        closed_ = true;
        for (auto& task : remote_live_) live_.push(std::move(task));
        remote_live_.clear();
        queued = std::move(remote_);
        slot_.reset();  // this executor parks no more
      }
      queued.clear();
      ready_.clear();
      // Dropping a future may wake or spawn tasks: the closed scheduler turns those away.
      while (TaskRef task = live_.pop_front()) task->shut_down();
    }

   private:
    bool on_executor_thread() const noexcept { return Scheduler::current() == this; }

    void take_in_remote() {
      std::lock_guard lock(mutex_);
      for (auto& task : remote_live_) live_.push(std::move(task));
      remote_live_.clear();
      for (auto& task : remote_) ready_.push_back(std::move(task));
      remote_.clear();
      has_remote_.store(false, std::memory_order_relaxed);
    }

    std::shared_ptr<Driver> driver_;
    std::mutex mutex_;  // guards slot_, remote_, remote_live_ and closed_
    std::optional<Driver::ParkSlot> slot_;
    std::vector<TaskRef> remote_;       // woken from other threads
    std::vector<TaskRef> remote_live_;  // spawned from other threads
    std::atomic<bool> has_remote_{false};
    std::atomic<bool> in_block_on_{false};
    bool closed_ = false;
    // Touched only by the executor's thread:
    TaskQueue ready_;  // the run queue
    TaskList live_;
  };

  // For the length of a block_on: this executor is the runtime of the calling thread.
  class InsideBlockOn {
   public:
    explicit InsideBlockOn(LocalExecutor& executor)
        : executor_(refuse_nesting(executor)),
          in_scheduler_(*executor.scheduler_),
          in_driver_(*executor.driver_) {
      executor_.scheduler_->enter_block_on();
    }
    ~InsideBlockOn() {
      executor_.scheduler_->leave_block_on();
      executor_.running_.store(false);
    }
    InsideBlockOn(InsideBlockOn const&) = delete;
    InsideBlockOn& operator=(InsideBlockOn const&) = delete;

   private:
    static LocalExecutor& refuse_nesting(LocalExecutor& executor) {
      if (Scheduler::current() != nullptr) {
        throw ContractViolation(
            "block_on was called inside a runtime, which would stop that runtime's thread until "
            "the future is done: co_await the future instead");
      }
      if (executor.running_.exchange(true)) {
        throw ContractViolation("two threads called block_on on one LocalExecutor at once");
      }
      return executor;
    }
    LocalExecutor& executor_;
    Scheduler::Enter in_scheduler_;
    Driver::Enter in_driver_;
  };

  // The waker of the future given to block_on: it is polled by the loop, not as a task.
  struct MainWake {
    explicit MainWake(std::shared_ptr<LocalScheduler> scheduler)
        : scheduler(std::move(scheduler)) {}
    void wake() {
      woken.store(true, std::memory_order_release);
      if (Scheduler::current() != scheduler.get()) scheduler->unpark();
    }
    std::shared_ptr<LocalScheduler> scheduler;
    std::atomic<bool> woken{true};  // true: the first poll is due
  };

  std::shared_ptr<Driver> driver_;
  std::shared_ptr<LocalScheduler> scheduler_;
  std::atomic<bool> running_{false};  // a thread is inside block_on
};

}  // namespace wb
