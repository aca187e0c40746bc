// wb::TaskCell<F> — the one allocation of a spawned future: the task's header, then the future,
// and once the future is gone its outcome in the same bytes. Only TaskCell knows the future's
// type; executors see TaskHeader and a JoinHandle sees TaskOutput<T>.
#pragma once

#include <new>
#include <type_traits>
#include <utility>

#include "wb/core/future.hpp"
#include "wb/task/cell_pool.hpp"
#include "wb/task/scheduler.hpp"
#include "wb/task/task_header.hpp"
#include "wb/task/task_name.hpp"
#include "wb/task/task_output.hpp"

namespace wb {

// ANCHOR: task_cell
/// The one allocation of a spawned future: header, then the future — and once the future is
/// gone, its outcome in the same bytes.
template <Future F>
class TaskCell final : public TaskOutput<output_of<F>> {
  using Base = TaskOutput<output_of<F>>;
  using Outcome = typename Base::Outcome;

 public:
  TaskCell(F future, Scheduler& scheduler, TaskName name)
      : Base(&vtable, scheduler, name), future_(std::move(future)) {}
  ~TaskCell() {
    if (this->is_complete()) {
      outcome_.~Outcome();
    } else {
      future_.~F();  // never finished nor cancelled (not reached by the executors in wb)
    }
  }

  // The cell comes from the thread's CellPool when it is small enough (see cell_pool.hpp).
  static void* operator new(std::size_t size) {
    if constexpr (pooled()) return CellPool::allocate(size, alignof(TaskCell));
    return ::operator new(size);
  }
  static void operator delete(void* cell) noexcept {
    if constexpr (pooled()) return CellPool::deallocate(cell, alignof(TaskCell));
    ::operator delete(cell);
  }

 private:
  static constexpr bool pooled() noexcept {
    return CellPool::fits(sizeof(TaskCell), alignof(TaskCell));
  }
  static bool poll(TaskHeader& header, Context& cx) {
    auto& self = static_cast<TaskCell&>(header);
    try {
      auto result = self.future_.poll(cx);
      if (result.is_pending()) return false;
      if constexpr (std::is_void_v<output_of<F>>) {
        self.settle(Outcome(std::in_place_index<Base::finished>));
      } else {
        self.settle(Outcome(std::in_place_index<Base::finished>, std::move(result).value()));
      }
    } catch (...) {
      // Reaches whoever awaits the JoinHandle.
      self.settle(Outcome(std::in_place_index<Base::failed>, std::current_exception()));
    }
    return true;
  }
  // The future is released now (what it held goes at once), and its outcome takes its place.
  void settle(Outcome&& outcome) noexcept {
    future_.~F();
    ::new (static_cast<void*>(&outcome_)) Outcome(std::move(outcome));
  }
  static void drop_future(TaskHeader& header) {
    static_cast<TaskCell&>(header).settle(Outcome(std::in_place_index<Base::cancelled>));
  }
  static void destroy(TaskHeader* header) { delete static_cast<TaskCell*>(header); }
  static void* outcome(TaskHeader& header) { return &static_cast<TaskCell&>(header).outcome_; }
  static constexpr typename TaskHeader::VTable vtable{&poll, &drop_future, &destroy, &outcome};

  union {
    F future_;         // until the task finishes or is cancelled
    Outcome outcome_;  // from then on
  };
};
// ANCHOR_END: task_cell

}  // namespace wb
