// wb::AbortHandle — a handle that can cancel a spawned task but not await it. Take one from the
// JoinHandle (handle.abort_handle()) before the JoinHandle goes somewhere you cannot reach it —
// into a timeout, a select, another task — so that the task can still be stopped: dropping a
// JoinHandle only detaches the task, it never cancels it.
#pragma once

#include <utility>

#include "wb/task/task_header.hpp"

namespace wb {

// ANCHOR: abort_handle
class AbortHandle {
 public:
  /// Cancels the task (its executor drops the future at the next chance), unless it finished.
  void abort() const {
    if (task_) task_->abort();
  }

  /// True once the task has finished, failed or been cancelled.
  bool is_finished() const noexcept { return !task_ || task_->is_complete(); }
  // ANCHOR_END: abort_handle

  /// Takes a reference of its own to `task` (null: a handle that does nothing).
  explicit AbortHandle(TaskHeader* task) noexcept : task_(task) {
    if (task_) task_->add_ref();
  }
  AbortHandle(AbortHandle const& other) noexcept : AbortHandle(other.task_) {}
  AbortHandle(AbortHandle&& other) noexcept : task_(std::exchange(other.task_, nullptr)) {}
  AbortHandle& operator=(AbortHandle other) noexcept {
    std::swap(task_, other.task_);
    return *this;
  }
  ~AbortHandle() {
    if (task_) task_->release();
  }

 private:
  TaskHeader* task_;
};

}  // namespace wb
