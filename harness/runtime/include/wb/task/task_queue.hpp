// wb::TaskQueue — an executor's run queue of tasks, linked through the tasks themselves: pushing
// and popping touch two pointers and never allocate, where a ring buffer of references would
// grow and copy itself as a burst of spawns fills it.
#pragma once

#include <utility>

#include "wb/task/task_header.hpp"
#include "wb/task/task_ref.hpp"

namespace wb {

/// First in, first out; holds one reference to each task. A task is on at most one queue at a
/// time (its `scheduled` state bit sees to that), so one link per task is enough. Not
/// thread-safe: the executor guards it.
class TaskQueue {
 public:
  TaskQueue() = default;
  TaskQueue(TaskQueue&& other) noexcept
      : head_(std::exchange(other.head_, nullptr)), tail_(std::exchange(other.tail_, nullptr)) {}
  TaskQueue& operator=(TaskQueue&& other) noexcept {
    TaskQueue(std::move(other)).swap(*this);
    return *this;
  }
  ~TaskQueue() { clear(); }

  bool empty() const noexcept { return head_ == nullptr; }

  void push_back(TaskRef task) noexcept {
    TaskHeader* t = task.leak();
    t->queue_next_ = nullptr;
    if (tail_) {
      tail_->queue_next_ = t;
    } else {
      head_ = t;
    }
    tail_ = t;
  }

  /// The oldest task, taken off. The queue must not be empty.
  TaskRef pop_front() noexcept {
    TaskHeader* t = std::exchange(head_, head_->queue_next_);
    if (head_ == nullptr) tail_ = nullptr;
    t->queue_next_ = nullptr;
    return TaskRef::adopt(t);
  }

  void clear() noexcept {
    while (!empty()) pop_front();
  }

  void swap(TaskQueue& other) noexcept {
    std::swap(head_, other.head_);
    std::swap(tail_, other.tail_);
  }

 private:
  TaskHeader* head_ = nullptr;
  TaskHeader* tail_ = nullptr;
};

}  // namespace wb
