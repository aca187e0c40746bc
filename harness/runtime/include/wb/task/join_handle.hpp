// wb::JoinHandle<T> — the spawner's end of a spawned task. It is itself a future: awaiting it
// gives the task's output, rethrows the task's exception, or throws wb::TaskAborted. Dropping the
// handle detaches the task, which runs on; only abort() cancels it (dropping a future that was
// never spawned is what cancels it: nobody else is polling it).
#pragma once

#include <utility>

#include "wb/core/contract.hpp"
#include "wb/core/future.hpp"
#include "wb/task/abort_handle.hpp"
#include "wb/task/task_output.hpp"
#include "wb/task/task_ref.hpp"

namespace wb {

// ANCHOR: join_handle
template <class T>
class [[nodiscard]] JoinHandle {
 public:
  using Output = T;

  /// Adopts one reference to `task`.
  explicit JoinHandle(TaskOutput<T>* task) noexcept : task_(task) {}
  JoinHandle(JoinHandle&& other) noexcept : task_(std::exchange(other.task_, nullptr)) {}
  JoinHandle& operator=(JoinHandle&& other) noexcept {
    JoinHandle(std::move(other)).swap(*this);
    return *this;
  }
  ~JoinHandle() { detach(); }

  Poll<T> poll(Context& cx) {
    if (!task_) {
      throw ContractViolation("a JoinHandle was polled after it returned Ready or was detached");
    }
    if (!task_->is_complete() && task_->set_join_waker(cx.waker())) return pending;
    TaskRef done = TaskRef::adopt(std::exchange(task_, nullptr));  // released after take()
    auto& task = static_cast<TaskOutput<T>&>(*done.get());
    if constexpr (std::is_void_v<T>) {
      task.take();
      return Poll<void>::ready();
    } else {
      return task.take();
    }
  }

  /// Cancels the task: its executor drops the future at the next chance, and awaiting this
  /// handle throws TaskAborted (unless the task finished first).
  void abort() {
    if (task_) task_->abort();
  }

  /// A handle that can cancel the task after this JoinHandle has been moved away (into a
  /// timeout, say), which abort() through this handle could not.
  AbortHandle abort_handle() const noexcept { return AbortHandle(task_); }

  /// Lets the task run on without anyone awaiting it; same as dropping the handle.
  void detach() noexcept {
    if (task_) std::exchange(task_, nullptr)->release_handle();
  }

  /// True once the task has finished, failed or been cancelled: awaiting would not wait.
  bool is_finished() const noexcept { return task_ && task_->is_complete(); }

  void swap(JoinHandle& other) noexcept { std::swap(task_, other.task_); }

 private:
  TaskOutput<T>* task_;
};
// ANCHOR_END: join_handle

}  // namespace wb
