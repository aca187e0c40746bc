// wb::TaskHeader and wb::TaskCell — a spawned future on the heap, with the small state machine
// that lets any thread wake it while exactly one thread at a time polls it. Its waker is the
// cell itself (reference counted), so waking a task costs no allocation. Executors see only
// TaskHeader; JoinHandle<T> sees TaskOutput<T>; TaskCell<F> alone knows the future's type.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>

#include "wb/core/borrowed_waker.hpp"
#include "wb/core/future.hpp"
#include "wb/core/waker.hpp"

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

/// What a spawned task knows of its executor: where it goes when woken, and the list of live
/// tasks that the executor cancels when it shuts down. Both executors implement it.
class Scheduler : public std::enable_shared_from_this<Scheduler> {
 public:
  virtual ~Scheduler() = default;
  /// Puts a woken task on a run queue. Any thread may call it; after shutdown it drops the task.
  virtual void schedule(TaskRef task) = 0;
  /// Adds a new task to the live tasks. False when the executor has shut down.
  virtual bool bind(TaskRef task) = 0;
  /// Takes a finished task off the live tasks; the caller releases the list's reference.
  virtual void unbind(TaskHeader& task) noexcept = 0;

  /// The scheduler of the executor running on this thread, or null.
  static Scheduler* current() noexcept { return current_slot(); }

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

 private:
  static Scheduler*& current_slot() noexcept {
    static thread_local Scheduler* current = nullptr;
    return current;
  }
};

class TaskHeader {
 public:
  TaskHeader(TaskHeader const&) = delete;
  TaskHeader& operator=(TaskHeader const&) = delete;

  // ANCHOR: task_run
  /// Polls the task once, on the executor's thread, consuming the run queue's reference. A
  /// task woken while it runs goes straight back on the queue; an aborted one is cancelled here,
  /// so its future is destroyed on the thread that polled it.
  void run() {
    std::uint32_t state = state_.load(std::memory_order_acquire);
    if (state & complete) return release();  // shut down while it sat on a queue
    while (!state_.compare_exchange_weak(state, (state & ~scheduled) | running,
                                         std::memory_order_acq_rel)) {
    }
    bool done = true;
    bool woke_itself = false;
    if (state & aborted) {
      vtable_->drop_future(*this);
    } else {
      BorrowedWaker waker(RawWaker{this, &waker_vtable});  // lives on the queue's reference
      Context cx(waker.get());
      RunningHere here(this);
      done = vtable_->poll(*this, cx);
      woke_itself = here.woke_itself();
    }
    if (done) {
      finish();
      scheduler_->unbind(*this);  // takes the task off the list, keeping the list's reference
      return release(2);          // ... which goes now, with the run queue's
    }
    std::uint32_t const requeue = woke_itself ? scheduled : 0;
    state = state_.load(std::memory_order_acquire);
    while (!state_.compare_exchange_weak(state, (state & ~running) | requeue,
                                         std::memory_order_acq_rel)) {
    }
    if ((state & scheduled) || woke_itself) {
      scheduler_->schedule(TaskRef::adopt(this));  // woken while running: pass the reference on
    } else {
      release();
    }
  }

  /// Puts the task on its executor's queue unless it is already there or finished.
  void wake_by_ref() {
    if (RunningHere::is(this)) return RunningHere::note_self_wake();  // run() will requeue it
    std::uint32_t state = state_.load(std::memory_order_acquire);
    do {
      if (state & (complete | scheduled)) return;
    } while (!state_.compare_exchange_weak(state, state | scheduled, std::memory_order_acq_rel));
    if (!(state & running)) {  // a running task is re-queued by run() when its poll ends
      add_ref();
      scheduler_->schedule(TaskRef::adopt(this));
    }
  }
  // ANCHOR_END: task_run

  /// Asks for the task to be cancelled: its executor drops the future at the next chance.
  void abort() {
    std::uint32_t state = state_.load(std::memory_order_acquire);
    do {
      if (state & (complete | aborted)) return;
    } while (!state_.compare_exchange_weak(state, state | aborted | scheduled,
                                           std::memory_order_acq_rel));
    if (!(state & (running | scheduled))) {
      add_ref();
      scheduler_->schedule(TaskRef::adopt(this));
    }
  }

  /// The executor is shutting down and will never run this task again: drop the future now.
  /// The caller has taken the task off the live-task list already.
  void shut_down() {
    std::uint32_t state = state_.fetch_or(aborted, std::memory_order_acq_rel);
    if (state & complete) return;
    vtable_->drop_future(*this);
    finish();
  }

  bool is_complete() const noexcept { return state_.load(std::memory_order_acquire) & complete; }

  void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release(std::uint32_t count = 1) noexcept {
    if (refs_.fetch_sub(count, std::memory_order_acq_rel) == count) vtable_->destroy(this);
  }

  /// Called by the JoinHandle: remember `waker` to be woken on completion. False when the task
  /// turned out to be complete already (then nothing is stored).
  ///
  /// No lock: the `join_waker` bit says who may touch join_waker_. While it is clear only the
  /// JoinHandle may, to write it; while it is set both may read it and nobody writes. The
  /// handle fills the slot, then sets the bit, and backs off if the task completed meanwhile.
  bool set_join_waker(Waker const& waker) {
    std::uint32_t state = state_.load(std::memory_order_acquire);
    if (state & join_waker) {
      if (join_waker_->will_wake(waker)) return !(state & complete);
      // Take the slot back to replace the waker; fails only if the task has just completed.
      do {
        if (state & complete) return false;
      } while (
          !state_.compare_exchange_weak(state, state & ~join_waker, std::memory_order_acq_rel));
    }
    join_waker_ = waker;
    do {
      if (state & complete) {
        join_waker_.reset();
        return false;
      }
    } while (!state_.compare_exchange_weak(state, state | join_waker, std::memory_order_acq_rel));
    return true;
  }

 protected:
  struct VTable {
    bool (*poll)(TaskHeader&, Context&);  // true when the future is gone (finished or failed)
    void (*drop_future)(TaskHeader&);
    void (*destroy)(TaskHeader*);
  };

  TaskHeader(VTable const* vtable, std::shared_ptr<Scheduler> scheduler)
      : scheduler_(std::move(scheduler)), vtable_(vtable) {}
  ~TaskHeader() = default;

 private:
  friend class TaskList;

  static constexpr std::uint32_t scheduled = 1;    // on a run queue, or about to be put there
  static constexpr std::uint32_t running = 2;      // being polled right now
  static constexpr std::uint32_t complete = 4;     // the future is gone: its outcome is stored
  static constexpr std::uint32_t aborted = 8;      // cancelled (or to be) by abort or shutdown
  static constexpr std::uint32_t join_waker = 16;  // join_waker_ is filled: finish() wakes it

  // The outcome is stored: publish it and wake whoever awaits the JoinHandle.
  void finish() {
    std::uint32_t state = state_.load(std::memory_order_acquire);
    while (!state_.compare_exchange_weak(state, (state & ~(running | scheduled)) | complete,
                                         std::memory_order_acq_rel)) {
    }
    // The bit was set: the handle will not write the slot again. Only read it (the handle may
    // be reading it too); the waker is dropped with the cell.
    if (state & join_waker) join_waker_->wake_by_ref();
  }

  // The task this thread is polling right now. A task that wakes itself from inside its own
  // poll (yield_now does) only leaves a note here, which run() reads: no atomic operation.
  class RunningHere {
   public:
    explicit RunningHere(TaskHeader* task) noexcept
        : previous_(std::exchange(slot(), Slot{task, false})) {}
    ~RunningHere() { slot() = previous_; }
    RunningHere(RunningHere const&) = delete;
    RunningHere& operator=(RunningHere const&) = delete;

    bool woke_itself() const noexcept { return slot().woke_itself; }
    static bool is(TaskHeader const* task) noexcept { return slot().task == task; }
    static void note_self_wake() noexcept { slot().woke_itself = true; }

   private:
    struct Slot {
      TaskHeader const* task = nullptr;
      bool woke_itself = false;
    };
    static Slot& slot() noexcept {
      static thread_local Slot current;
      return current;
    }
    Slot previous_;
  };

  static TaskHeader* of(void const* data) {
    return const_cast<TaskHeader*>(static_cast<TaskHeader const*>(data));
  }
  static RawWaker waker_clone(void const* data) {
    of(data)->add_ref();
    return {data, &waker_vtable};
  }
  static void waker_wake(void const* data) {
    of(data)->wake_by_ref();
    of(data)->release();
  }
  static void waker_wake_by_ref(void const* data) { of(data)->wake_by_ref(); }
  static void waker_drop(void const* data) { of(data)->release(); }
  static constexpr WakerVTable waker_vtable{&waker_clone, &waker_wake, &waker_wake_by_ref,
                                            &waker_drop};

  std::atomic<std::uint32_t> state_{scheduled};
  std::atomic<std::uint32_t> refs_{3};  // the JoinHandle, the live-task list, the run queue
  std::shared_ptr<Scheduler> scheduler_;
  VTable const* vtable_;
  std::optional<Waker> join_waker_;  // the awaiting JoinHandle's waker (see set_join_waker)
  TaskHeader* list_prev_ = nullptr;  // links of the executor's TaskList
  TaskHeader* list_next_ = nullptr;
};

inline TaskRef::~TaskRef() {
  if (task_) task_->release();
}

/// Thrown when awaiting the JoinHandle of a task that was aborted (or whose runtime shut down)
/// before it finished.
class TaskAborted : public std::runtime_error {
 public:
  TaskAborted() : std::runtime_error("the task was aborted before it finished") {}
};

/// The outcome of a task of output T, as its JoinHandle reads it.
template <class T>
class TaskOutput : public TaskHeader {
 public:
  /// The output, or the task's exception rethrown, or TaskAborted. Once, after completion.
  T take() {
    if (error_) std::rethrow_exception(error_);
    if (!output_) throw TaskAborted();
    if constexpr (!std::is_void_v<T>) return std::move(*output_);
  }

 protected:
  using TaskHeader::TaskHeader;
  using Stored = std::conditional_t<std::is_void_v<T>, bool, T>;
  std::optional<Stored> output_;
  std::exception_ptr error_;
};

// ANCHOR: task_cell
/// The one allocation of a spawned future: header, future, and a slot for its output.
template <Future F>
class TaskCell final : public TaskOutput<output_of<F>> {
  using Base = TaskOutput<output_of<F>>;

 public:
  TaskCell(F future, std::shared_ptr<Scheduler> scheduler)
      : Base(&vtable, std::move(scheduler)), future_(std::in_place, std::move(future)) {}

 private:
  static bool poll(TaskHeader& header, Context& cx) {
    auto& self = static_cast<TaskCell&>(header);
    try {
      auto result = self.future_->poll(cx);
      if (result.is_pending()) return false;
      if constexpr (std::is_void_v<output_of<F>>) {
        self.output_.emplace(true);
      } else {
        self.output_.emplace(std::move(result).value());
      }
    } catch (...) {
      self.error_ = std::current_exception();  // reaches whoever awaits the JoinHandle
    }
    self.future_.reset();  // finished: what the future held is released now
    return true;
  }
  static void drop_future(TaskHeader& header) { static_cast<TaskCell&>(header).future_.reset(); }
  static void destroy(TaskHeader* header) { delete static_cast<TaskCell*>(header); }
  static constexpr typename TaskHeader::VTable vtable{&poll, &drop_future, &destroy};

  std::optional<F> future_;
};
// ANCHOR_END: task_cell

/// An executor's list of live tasks, holding a reference to each: what it cancels at shutdown.
/// Not thread-safe: the executor guards it.
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
    t->list_next_ = head_;
    if (head_) head_->list_prev_ = t;
    head_ = t;
    ++size_;
  }
  /// Unlinks `task` (which must be in the list); its reference passes to the caller.
  void remove(TaskHeader& task) noexcept { unlink(task); }
  TaskRef pop_front() noexcept {
    if (!head_) return {};
    TaskHeader* t = head_;
    unlink(*t);
    return TaskRef::adopt(t);
  }
  bool empty() const noexcept { return head_ == nullptr; }
  std::size_t size() const noexcept { return size_; }

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
};

}  // namespace wb
