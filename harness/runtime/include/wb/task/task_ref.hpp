// wb::TaskRef — an owning reference to a spawned task, the one thing run queues, task lists and
// schedulers pass around. Its destructor releases the reference, so it is defined with
// TaskHeader (task_header.hpp), which every user of a TaskRef includes.
#pragma once

#include <utility>

namespace wb {

class TaskHeader;

/// An owning reference to a task: what run queues and task lists hold.
class TaskRef {
 public:
  TaskRef() = default;
  /// Takes over a reference the caller already counted.
  static TaskRef adopt(TaskHeader* task) noexcept { return TaskRef(task); }
  TaskRef(TaskRef&& other) noexcept : task_(std::exchange(other.task_, nullptr)) {}
  TaskRef& operator=(TaskRef&& other) noexcept {
    std::swap(task_, other.task_);
    return *this;
  }
  ~TaskRef();

  TaskHeader* get() const noexcept { return task_; }
  TaskHeader* operator->() const noexcept { return task_; }
  explicit operator bool() const noexcept { return task_ != nullptr; }
  /// Gives up ownership without releasing: the caller now owns the reference.
  TaskHeader* leak() noexcept { return std::exchange(task_, nullptr); }

 private:
  explicit TaskRef(TaskHeader* task) noexcept : task_(task) {}
  TaskHeader* task_ = nullptr;
};

}  // namespace wb
