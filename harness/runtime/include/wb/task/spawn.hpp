// wb::spawn and wb::spawn_on — hand a future to an executor to run as a task of its own, and
// get back its JoinHandle. spawn() uses the runtime running on this thread (inside block_on or
// inside another task); spawn_on() names the scheduler. A task remembers where it was spawned,
// and optionally a name — `wb::spawn(wb::named("handler"), future)` — for wb::dump_tasks.
#pragma once

#include <utility>

#include "wb/core/contract.hpp"
#include "wb/core/future.hpp"
#include "wb/task/join_handle.hpp"
#include "wb/task/scheduler.hpp"
#include "wb/task/task_cell.hpp"
#include "wb/task/task_name.hpp"
#include "wb/task/task_ref.hpp"

namespace wb {

// ANCHOR: spawn_on
template <Future F>
JoinHandle<output_of<F>> spawn_on(Scheduler& scheduler, TaskName name, F future) {
  // Three references from the start: the handle, the live-task list and the run queue.
  auto* task = new TaskCell<F>(std::move(future), scheduler, name);
  JoinHandle<output_of<F>> handle(task);
  if (!scheduler.bind(TaskRef::adopt(task))) {
    task->shut_down();  // the executor is gone: the task ends cancelled, never polled
    task->release();    // the run queue's reference, unused
    return handle;
  }
  scheduler.schedule(TaskRef::adopt(task));
  return handle;
}
// ANCHOR_END: spawn_on

/// Spawns an unnamed task, known by the file and line of the call.
template <Future F>
JoinHandle<output_of<F>> spawn_on(Scheduler& scheduler, F future, SpawnSite where = {}) {
  return spawn_on(scheduler, TaskName{nullptr, where}, std::move(future));
}

/// Spawns on the runtime running on this thread.
template <Future F>
JoinHandle<output_of<F>> spawn(TaskName name, F future) {
  Scheduler* scheduler = Scheduler::current();
  if (scheduler == nullptr) {
    throw ContractViolation(
        "wb::spawn was called outside a runtime: call it from inside Runtime::block_on (or from a "
        "task), or use runtime.spawn(future)");
  }
  return spawn_on(*scheduler, name, std::move(future));
}

/// Spawns an unnamed task on the runtime running on this thread.
template <Future F>
JoinHandle<output_of<F>> spawn(F future, SpawnSite where = {}) {
  return spawn(TaskName{nullptr, where}, std::move(future));
}

}  // namespace wb
