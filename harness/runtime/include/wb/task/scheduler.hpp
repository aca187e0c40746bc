// wb::Scheduler — what a spawned task knows of its executor: where it goes when woken, and the
// list of live tasks that the executor cancels at shutdown.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <utility>

#include "wb/core/contract.hpp"
#include "wb/task/task_ref.hpp"

namespace wb {

/// What a spawned task knows of its executor: where it goes when woken, and the list of live
/// tasks that the executor cancels when it shuts down. Both executors implement it.
///
/// A task holds a plain pointer to its scheduler, not a reference count: counting would cost
/// two atomic operations per spawn. What keeps the pointer valid: the executor polls its tasks
/// only while it is alive, it cancels every live task (TaskHeader::shut_down) before it goes,
/// and a finished task never touches its scheduler again. A thread that wakes a task from
/// outside the executor marks the task while it is inside schedule(), and both shut_down and
/// a task's completion wait for that mark to clear: so schedule() may use every part of the
/// scheduler until it returns, even when the executor is being destroyed meanwhile.
class Scheduler : public std::enable_shared_from_this<Scheduler> {
 public:
  virtual ~Scheduler() = default;
  /// Puts a woken task on a run queue. Any thread may call it; after shutdown it drops the task.
  virtual void schedule(TaskRef task) = 0;
  /// Adds a new task to the live tasks. False when the executor has shut down.
  virtual bool bind(TaskRef task) = 0;
  /// Takes a finished task off the live tasks. True if it was still there: the list's
  /// reference then passes to the caller. (False when the executor's shutdown took it first.)
  virtual bool unbind(TaskHeader& task) noexcept = 0;
  /// Calls `visit` for every live task (for wb::dump_tasks). An executor with one thread
  /// allows it only on that thread or while it is not running.
  virtual void visit_live_tasks(std::function<void(TaskHeader const&)> const& visit) {
    (void)visit;
    throw ContractViolation("this scheduler cannot list its tasks");
  }

  /// How many threads of its own poll its tasks: a thread pool's workers, 0 for an executor that
  /// polls every task on the thread that runs it.
  virtual std::size_t worker_threads() const noexcept { return 0; }

  /// The scheduler of the executor running on this thread, or null.
  static Scheduler* current() noexcept { return current_slot(); }

  /// True when this thread alone handles the scheduler's tasks: it polls them, and their run
  /// queue and live list are touched only here (other threads hand woken tasks over through a
  /// reference of their own). A task then takes its uncontended steps with plain stores (see
  /// TaskHeader::alone). False for an executor whose tasks several threads poll.
  bool owned_by_this_thread() const noexcept { return one_thread_ && current() == this; }

  /// While alive, makes `scheduler` the current one on this thread.
  class Enter {
   public:
    explicit Enter(Scheduler& scheduler) : previous_(std::exchange(current_slot(), &scheduler)) {}
    ~Enter() { current_slot() = previous_; }
    Enter(Enter const&) = delete;
    Enter& operator=(Enter const&) = delete;

   private:
    Scheduler* previous_;
  };

 protected:
  Scheduler() = default;
  /// `one_thread`: the executor keeps to the promise owned_by_this_thread() describes, on the
  /// thread that has it as current(), and shuts down on that thread or while no thread runs it.
  explicit Scheduler(bool one_thread) noexcept : one_thread_(one_thread) {}

 private:
  bool one_thread_ = false;

  static Scheduler*& current_slot() noexcept {
    static thread_local Scheduler* current = nullptr;
    return current;
  }
};

}  // namespace wb
