// wb::TaskList — an executor's list of live tasks: what it cancels at shutdown and what
// wb::dump_tasks lists.
#pragma once

#include <cstddef>
#include <cstdint>

#include "wb/task/task_header.hpp"
#include "wb/task/task_ref.hpp"

namespace wb {

/// An executor's list of live tasks, holding a reference to each: what it cancels at shutdown
/// and what wb::dump_tasks lists. It numbers the tasks as they come in. Not thread-safe: the
/// executor guards it.
class TaskList {
 public:
  TaskList() = default;
  TaskList(TaskList const&) = delete;
  TaskList& operator=(TaskList const&) = delete;
  ~TaskList() {
    while (pop_front()) {
    }
  }

  void push(TaskRef task) {
    TaskHeader* t = task.leak();
    t->id_ = ++last_id_;
    t->list_next_ = head_;
    if (head_) head_->list_prev_ = t;
    head_ = t;
    ++size_;
  }
  /// Unlinks `task` if it is still in the list (a task that finishes while its executor shuts
  /// down may have been taken off already); if it was, its reference passes to the caller.
  bool remove(TaskHeader& task) noexcept {
    if (task.list_prev_ == nullptr && head_ != &task) return false;
    unlink(task);
    return true;
  }
  TaskRef pop_front() noexcept {
    if (!head_) return {};
    TaskHeader* t = head_;
    unlink(*t);
    return TaskRef::adopt(t);
  }
  bool empty() const noexcept { return head_ == nullptr; }
  std::size_t size() const noexcept { return size_; }

  template <class Visit>
  void for_each(Visit&& visit) const {
    for (TaskHeader const* t = head_; t; t = t->list_next_) visit(*t);
  }

 private:
  void unlink(TaskHeader& task) noexcept {
    if (task.list_prev_) task.list_prev_->list_next_ = task.list_next_;
    if (task.list_next_) task.list_next_->list_prev_ = task.list_prev_;
    if (head_ == &task) head_ = task.list_next_;
    task.list_prev_ = task.list_next_ = nullptr;
    --size_;
  }
  TaskHeader* head_ = nullptr;
  std::size_t size_ = 0;
  std::uint32_t last_id_ = 0;
};

}  // namespace wb
