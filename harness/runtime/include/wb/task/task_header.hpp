// wb::TaskHeader — the part of a spawned task every executor sees: the small state machine that
// lets any thread wake the task while exactly one thread at a time polls it, and its reference
// count. Its waker is the task itself, so waking a task costs no allocation. TaskOutput<T>
// (task_output.hpp) adds what a JoinHandle reads; TaskCell<F> (task_cell.hpp) the future.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <thread>
#include <utility>

#include "wb/core/borrowed_waker.hpp"
#include "wb/core/future.hpp"
#include "wb/core/waker.hpp"
#include "wb/task/poll_stamp.hpp"
#include "wb/task/scheduler.hpp"
#include "wb/task/task_name.hpp"
#include "wb/task/task_ref.hpp"
#include "wb/time/clock.hpp"

namespace wb {

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
    if (state == (scheduled | 2 * ref_one) && alone()) {
      // Only the queue's and the list's references, both this thread's: nobody else can
      // touch the word (see alone()), so a plain store claims the poll.
      state_.store(running | 2 * ref_one, std::memory_order_relaxed);
      state = scheduled | 2 * ref_one;
    } else {
      do {  // checked at every attempt: shut_down may finish the task between two of them
        if (state & complete) return release();  // shut down while it sat on a queue
      } while (!state_.compare_exchange_weak(state, (state & ~scheduled) | running,
                                             std::memory_order_acq_rel));
    }
    note_poll();
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
      bool const listed = scheduler_->unbind(*this);
      return finish(listed ? 2 : 1);  // the run queue's reference, and the list's if it had one
    }
    std::uint32_t const requeue = woke_itself ? scheduled : 0;
    state = state_.load(std::memory_order_acquire);
    do {
      if (state & let_go) {  // the executor shut down during this poll: cancel it now, here
        vtable_->drop_future(*this);
        return finish(1);  // the run queue's reference; the shutdown took the list's
      }
    } while (!state_.compare_exchange_weak(state, (state & ~running) | requeue,
                                           std::memory_order_acq_rel));
    if ((state & scheduled) || woke_itself) {
      scheduler_->schedule(TaskRef::adopt(this));  // woken while running: pass the reference on
    } else {
      release();
    }
  }

  /// Puts the task on its executor's queue unless it is already there or finished.
  void wake_by_ref() {
    if (RunningHere::is(this)) return RunningHere::note_self_wake();  // run() will requeue it
    std::uint32_t const outside = Scheduler::current() == scheduler_ ? 0 : waking;
    std::uint32_t state = state_.load(std::memory_order_acquire);
    std::uint32_t next;
    do {
      if (state & (complete | scheduled)) return;
      // A running task is re-queued by run() when its poll ends.
      next = state | scheduled | ((state & running) ? 0 : outside);
    } while (!state_.compare_exchange_weak(state, next, std::memory_order_acq_rel));
    if (!(state & running)) hand_to_scheduler(next & waking);
  }
  // ANCHOR_END: task_run

  /// Asks for the task to be cancelled: its executor drops the future at the next chance.
  void abort() {
    std::uint32_t const outside = Scheduler::current() == scheduler_ ? 0 : waking;
    std::uint32_t state = state_.load(std::memory_order_acquire);
    std::uint32_t next;
    do {
      if (state & (complete | aborted)) return;
      next = state | aborted | scheduled | ((state & (running | scheduled)) ? 0 : outside);
    } while (!state_.compare_exchange_weak(state, next, std::memory_order_acq_rel));
    if (!(state & (running | scheduled))) hand_to_scheduler(next & waking);
  }

  /// The executor is shutting down and will never run this task again; it has taken the task
  /// off its live-task list. The future is dropped here, unless a thread is polling it right
  /// now: then that thread drops it as soon as its poll returns. (The executors in wb stop
  /// polling before they shut their tasks down, but the task does not rely on it.)
  void shut_down() {
    std::uint32_t state = state_.load(std::memory_order_acquire);
    std::uint32_t next;
    do {
      if (state & complete) return;
      // Setting `running` claims the future, so that no poll can begin while it is dropped.
      next = state | aborted | ((state & running) ? let_go : running);
    } while (!state_.compare_exchange_weak(state, next, std::memory_order_acq_rel));
    if (state & running) return;
    vtable_->drop_future(*this);
    finish(0);  // the caller releases the list's reference
  }

  bool is_complete() const noexcept { return state_.load(std::memory_order_acquire) & complete; }

  void add_ref() noexcept {
    // Clones of one task's waker would have to number in the tens of millions to overflow.
    if (state_.fetch_add(ref_one, std::memory_order_relaxed) >= max_state) std::terminate();
  }
  /// Drops the JoinHandle's reference. A task detached on its executor's thread while it waits
  /// on the run queue with no other reference (spawned and detached at once) is let go with a
  /// plain store.
  void release_handle() noexcept {
    // The handle's, the list's and the queue's references: with alone(), all of them this
    // thread's, and no other thread can be touching the word.
    if (state_.load(std::memory_order_relaxed) == (scheduled | 3 * ref_one) && alone()) {
      state_.store(scheduled | 2 * ref_one, std::memory_order_relaxed);
      return;
    }
    release();
  }
  void release(std::uint32_t count = 1) noexcept {
    std::uint32_t const before = state_.fetch_sub(count * ref_one, std::memory_order_acq_rel);
    if (before >> ref_shift == count) vtable_->destroy(this);
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
      if (join_waker_.will_wake(waker)) return !(state & complete);
      // Take the slot back to replace the waker; fails only if the task has just completed.
      do {
        if (state & complete) return false;
      } while (
          !state_.compare_exchange_weak(state, state & ~join_waker, std::memory_order_acq_rel));
    }
    join_waker_ = waker;
    do {
      if (state & complete) {
        join_waker_ = Waker::noop();
        return false;
      }
    } while (!state_.compare_exchange_weak(state, state | join_waker, std::memory_order_acq_rel));
    return true;
  }

  // --- What wb::dump_tasks reads: any thread may, while the task is on a live-task list ---

  /// Where the task is in its life, as the state bits below say it.
  enum class Phase { idle, scheduled, running, finished };
  Phase phase() const noexcept {
    std::uint32_t const state = state_.load(std::memory_order_acquire);
    if (state & complete) return Phase::finished;
    if (state & running) return Phase::running;
    if (state & scheduled) return Phase::scheduled;
    return Phase::idle;
  }
  /// 1, 2, 3 … in the order the executor took the tasks in (its TaskList numbers them).
  std::uint32_t id() const noexcept { return id_; }
  TaskName name() const noexcept { return TaskName{name_, SpawnSite(file_, line_)}; }
  std::uint32_t polls() const noexcept { return polls_.load(std::memory_order_relaxed); }
  /// When the latest poll began (see PollStamp); meaningless while polls() is 0.
  Instant last_poll() const noexcept {
    return Instant(Duration(last_poll_.load(std::memory_order_relaxed)));
  }

 protected:
  struct VTable {
    bool (*poll)(TaskHeader&, Context&);  // true when the future is gone (finished or failed)
    void (*drop_future)(TaskHeader&);
    void (*destroy)(TaskHeader*);
    void* (*outcome)(TaskHeader&);  // where the output (or error) is, once complete
  };

  TaskHeader(VTable const* vtable, Scheduler& scheduler, TaskName name) noexcept
      : vtable_(vtable),
        scheduler_(&scheduler),
        name_(name.name),
        file_(name.where.file),
        line_(name.where.line) {}
  ~TaskHeader() = default;

  void* outcome() noexcept { return vtable_->outcome(*this); }

 private:
  friend class TaskList;
  friend class TaskQueue;

  static constexpr std::uint32_t scheduled = 1;    // on a run queue, or about to be put there
  static constexpr std::uint32_t running = 2;      // being polled right now
  static constexpr std::uint32_t complete = 4;     // the future is gone: its outcome is stored
  static constexpr std::uint32_t aborted = 8;      // cancelled (or to be) by abort or shutdown
  static constexpr std::uint32_t join_waker = 16;  // join_waker_ is filled: finish() wakes it
  static constexpr std::uint32_t let_go = 32;      // shut down mid-poll: the poller cancels it
  static constexpr std::uint32_t waking = 64;      // a thread outside the executor is in schedule()
  // The same word counts the references, in the bits above the state: then a finishing task
  // can publish its outcome and drop its references in one atomic step.
  static constexpr std::uint32_t ref_shift = 7;
  static constexpr std::uint32_t ref_one = 1u << ref_shift;
  static constexpr std::uint32_t max_state = UINT32_MAX - 2 * ref_one;

  // Whether this thread may take the task's uncontended steps with plain loads and stores
  // instead of read-modify-writes: it is the one thread of the task's executor
  // (Scheduler::owned_by_this_thread). Then, when the word counts only references this thread
  // holds (the run queue's, the live list's, a JoinHandle being dropped here) and no flag that
  // another thread sets, no other thread can reach the word: touching a task takes a reference
  // (a waker, a JoinHandle or AbortHandle, a queued TaskRef), and a thread that wakes the task
  // from outside holds `waking` until it is done. The callers compare the whole word, flags
  // and count, against what they expect before they use a plain store.
  bool alone() const noexcept { return scheduler_->owned_by_this_thread(); }

  // Queues the task, for a wake or an abort that found it idle. `marked`: the caller is not
  // on the executor's thread and set `waking`, which it clears once schedule() has returned.
  void hand_to_scheduler(std::uint32_t marked) {
    add_ref();
    scheduler_->schedule(TaskRef::adopt(this));
    if (marked) state_.fetch_and(~waking, std::memory_order_release);
  }

  void note_poll() noexcept {
    // Only the polling thread writes these; relaxed atomics let dump_tasks read them anywhere.
    std::uint32_t const polls = polls_.load(std::memory_order_relaxed);
    if (polls != UINT32_MAX) polls_.store(polls + 1, std::memory_order_relaxed);
    last_poll_.store(PollStamp::get().time_since_epoch().count(), std::memory_order_relaxed);
  }

  // The outcome is stored: publish it, wake whoever awaits the JoinHandle, and release
  // `refs` references (which may free the task).
  void finish(std::uint32_t refs) {
    std::uint32_t state = state_.load(std::memory_order_acquire);
    if (refs == 2 && state == (running | 2 * ref_one) && alone()) {
      // The caller holds the only two references and nobody else can touch the word: no
      // JoinHandle, no waker, nothing to wake. Finished and freed without an atomic step.
      state_.store(complete, std::memory_order_relaxed);
      return vtable_->destroy(this);
    }
    for (;;) {
      std::uint32_t next = (state & ~(running | scheduled)) | complete;
      // With no JoinHandle to wake and no thread inside schedule(), finishing and releasing
      // are one step: the common case of a detached task costs one atomic operation here.
      bool const last = !(state & (join_waker | waking));
      if (last) next -= refs * ref_one;
      if (state_.compare_exchange_weak(state, next, std::memory_order_acq_rel)) {
        if (!last) break;
        if (refs != 0 && state >> ref_shift == refs) vtable_->destroy(this);
        return;
      }
    }
    // A thread that woke the task from outside may still be inside schedule(). Nothing will
    // wait for it once the task has finished, so wait here: the scheduler must outlive the
    // call. (The task ran, so schedule() has queued it already: the wait is a few steps.)
    while (state & waking) {
      std::this_thread::yield();
      state = state_.load(std::memory_order_acquire);
    }
    // The bit was set: the handle will not write the slot again. Only read it (the handle may
    // be reading it too); the waker is dropped with the cell.
    if (state & join_waker) join_waker_.wake_by_ref();
    if (refs != 0) release(refs);
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

  // Laid out so that a task with a small future fits in 128 bytes with its output. Three
  // references from the start: the JoinHandle, the live-task list and the run queue.
  //
  // Why each atomic operation on state_ is there, and why its memory order:
  //  - run() claims the poll with acquire-release: acquire, so that this poll sees what the
  //    previous poll (perhaps on another worker) and the thread that woke the task wrote;
  //    release, so that the next one sees this poll's writes. Its second step, leaving
  //    `running`, is acq_rel for the same two reasons.
  //  - wake_by_ref(), abort() and shut_down() set their bits with acq_rel compare-and-swaps:
  //    release publishes what the waking thread wrote before it woke the task (the data the
  //    task will read when polled); acquire lets it see the state it acts on, whole.
  //  - hand_to_scheduler() clears `waking` with a release fetch_and: finish() waits for that
  //    bit to clear with acquire loads before the task may go, and then schedule() is over.
  //  - set_join_waker() fills join_waker_ and then sets its bit with acq_rel: release
  //    publishes the slot with the bit; finish() reads the slot after seeing the bit.
  //  - finish() sets `complete` with acq_rel: release publishes the outcome stored just before
  //    it, which is_complete()'s acquire load (the JoinHandle) pairs with.
  //  - add_ref() is relaxed: a reference is made from one the caller already holds, and no data
  //    passes with it (std::shared_ptr counts the same way). release() is acq_rel: whoever
  //    drops the last reference must see every other holder's writes before destroying.
  //  - alone() paths (run, release_handle, finish) use a relaxed load and a relaxed store: the
  //    word counts no reference but this thread's, so no other thread reads or writes it.
  // polls_ and last_poll_ are relaxed: only the polling thread writes them, and dump_tasks
  // reads them as statistics that need no order with anything else.
  std::atomic<std::uint32_t> state_{scheduled | 3 * ref_one};
  std::atomic<std::uint32_t> polls_{0};
  VTable const* vtable_;
  Scheduler* scheduler_;
  TaskHeader* list_prev_ = nullptr;  // links of the executor's TaskList
  TaskHeader* list_next_ = nullptr;
  TaskHeader* queue_next_ = nullptr;  // link of the run queue it is on (a TaskQueue)
  Waker join_waker_{RawWaker{nullptr, &detail::noop_vtable}};  // see set_join_waker
  char const* name_;
  char const* file_;
  std::uint32_t id_ = 0;  // given by the TaskList
  std::uint32_t line_;
  std::atomic<Duration::rep> last_poll_{0};
};

inline TaskRef::~TaskRef() {
  if (task_) task_->release();
}

}  // namespace wb
