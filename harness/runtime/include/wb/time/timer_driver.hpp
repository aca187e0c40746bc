// wb::TimerDriver — the timer queue and the one call through which an executor goes idle:
// park(), "sleep until a waker fires or the next timer is due". Later the same call becomes
// epoll_wait with the next deadline as its timeout; the executors will not change.
//
// The queue is a binary min-heap of pointers to TimerEntry objects that live inside the
// waiting futures, ordered by (deadline, registration order). A hierarchical wheel would make
// insert and cancel O(1), but it rounds deadlines to its tick and its code is three times as
// long. A heap is exact to the nanosecond, which virtual time needs (the clock jumps to the
// deadline itself), breaks ties by registration order (so equal deadlines fire in the same order
// on every run), and costs O(log n) per insert and cancel: for the tens of thousands of timers a
// program keeps that is a few dozen comparisons.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "wb/core/waker.hpp"
#include "wb/time/clock.hpp"

namespace wb {

class TimerDriver;

/// One timer registered with the driver. It lives inside the future that waits for it (a Sleep,
/// an Interval) and stays at one address while registered, so the driver keeps a pointer and a
/// timer costs no allocation. Every field is guarded by the driver's mutex.
class TimerEntry {
 public:
  TimerEntry() = default;
  TimerEntry(TimerEntry const&) = delete;
  TimerEntry& operator=(TimerEntry const&) = delete;

 private:
  friend class TimerDriver;
  static constexpr std::size_t not_queued = static_cast<std::size_t>(-1);

  Instant deadline_{};
  std::uint64_t order_ = 0;        // registration order: equal deadlines fire first-come first
  std::size_t slot_ = not_queued;  // index in the heap while queued
  bool fired_ = false;
  std::optional<Waker> waker_;  // the newest waker of the future that waits
};

class TimerDriver : public std::enable_shared_from_this<TimerDriver> {
 public:
  explicit TimerDriver(Clock::Kind clock = Clock::Kind::real) : clock_(clock) {}
  TimerDriver(TimerDriver const&) = delete;
  TimerDriver& operator=(TimerDriver const&) = delete;

  Clock& clock() noexcept { return clock_; }
  Instant now() const noexcept { return clock_.now(); }

  // --- Timers: called from the poll() of timer futures, on any thread ---

  /// Registers `entry` for `deadline` on the first call, and keeps its waker the newest on the
  /// calls after that. True once the deadline has passed (then the entry is out of the queue).
  bool poll_timer(TimerEntry& entry, Instant deadline, Waker const& waker) {
    std::lock_guard lock(mutex_);
    if (entry.fired_) return true;
    if (entry.slot_ != TimerEntry::not_queued) {
      if (!entry.waker_->will_wake(waker)) entry.waker_ = waker;
      return false;
    }
    if (deadline <= clock_.now()) {
      entry.fired_ = true;
      return true;
    }
    entry.deadline_ = deadline;
    entry.order_ = next_order_++;
    entry.waker_.emplace(waker);
    push(&entry);
    // A parked thread waits for the old first deadline: let it look again.
    if (entry.slot_ == 0 && !clock_.is_virtual()) nudge_idle();
    return false;
  }

  /// Takes `entry` out of the queue and forgets that it fired, so it can be registered anew.
  /// A future calls this from its destructor: dropping a timer cancels it.
  void cancel(TimerEntry& entry) noexcept {
    std::lock_guard lock(mutex_);
    if (entry.slot_ != TimerEntry::not_queued) remove(entry.slot_);
    entry.fired_ = false;
    entry.waker_.reset();
  }

  std::size_t pending_timers() const {
    std::lock_guard lock(mutex_);
    return heap_.size();
  }

  std::optional<Instant> next_deadline() const {
    std::lock_guard lock(mutex_);
    if (heap_.empty()) return std::nullopt;
    return heap_.front()->deadline_;
  }

  /// Wakes every timer whose deadline has passed; returns how many.
  std::size_t fire_due() {
    std::unique_lock lock(mutex_);
    return fire_due(lock);
  }

  /// Virtual time only: jumps the clock to the next deadline and fires what is due there.
  /// False when no timer is queued.
  bool advance_to_next_timer() {
    std::unique_lock lock(mutex_);
    if (heap_.empty()) return false;
    clock_.advance_to(heap_.front()->deadline_);
    fire_due(lock);
    return true;
  }

  // --- Parking: called by executors ---

  /// One thread that parks in this driver: an executor's thread, a worker, a block_on caller.
  /// Virtual time moves only while some thread waits for a result in block_on (a `waiter`) and
  /// every attached thread is parked with nothing to do: a worker idling while the program is
  /// still busy spawning must not make time fly.
  class ParkSlot {
   public:
    enum class Role { worker, waiter };
    explicit ParkSlot(TimerDriver& driver, Role role = Role::waiter)
        : driver_(driver), role_(role) {
      driver_.attach(*this);
    }
    ~ParkSlot() { driver_.detach(*this); }
    ParkSlot(ParkSlot const&) = delete;
    ParkSlot& operator=(ParkSlot const&) = delete;

   private:
    friend class TimerDriver;
    TimerDriver& driver_;
    Role role_;
    std::condition_variable wakeup_;
    bool notified_ = false;  // the token: set by unpark, consumed by park
    bool idle_ = false;      // waiting inside park, not yet unparked
  };

  // ANCHOR: park
  /// Sleeps until `me` is unparked (a waker fired) or a timer fires, whichever comes first.
  /// With a virtual clock, when every attached thread is parked, nothing can happen before the
  /// next deadline, so the clock jumps straight to it.
  void park(ParkSlot& me) {
    std::unique_lock lock(mutex_);
    while (!me.notified_) {
      if (fire_due(lock) > 0) break;  // the woken tasks are queued: go and run them
      std::optional<Instant> next;
      if (!heap_.empty()) next = heap_.front()->deadline_;
      if (clock_.is_virtual()) {
        if (next && waiters_ > 0 && idle_ + 1 == slots_.size()) {
          clock_.advance_to(*next);  // everyone is idle: skip the wait
          continue;
        }
        next.reset();  // real time means nothing to a virtual deadline: wait for a wake
      }
      wait(me, lock, next);
    }
    me.notified_ = false;
  }

  /// Ends a park() of `slot`, or makes its next one return at once. Any thread may call it.
  void unpark(ParkSlot& slot) {
    {
      std::lock_guard lock(mutex_);
      slot.notified_ = true;
      mark_busy(slot);
    }
    slot.wakeup_.notify_one();
  }
  // ANCHOR_END: park

  // --- Which driver a timer future uses ---

  /// The driver of the runtime this thread is running; outside any runtime, a process-wide
  /// driver on real time with a thread of its own, so that wb::sleep also works under block_on
  /// and the oracles.
  static TimerDriver& current();

  /// While alive, makes `driver` the current one on this thread.
  class Enter {
   public:
    explicit Enter(TimerDriver& driver) : previous_(std::exchange(current_slot(), &driver)) {}
    ~Enter() { current_slot() = previous_; }
    Enter(Enter const&) = delete;
    Enter& operator=(Enter const&) = delete;

   private:
    TimerDriver* previous_;
  };

 private:
  static TimerDriver*& current_slot() {
    static thread_local TimerDriver* current = nullptr;
    return current;
  }

  void attach(ParkSlot& slot) {
    std::lock_guard lock(mutex_);
    slots_.push_back(&slot);
    if (slot.role_ == ParkSlot::Role::waiter) ++waiters_;
  }
  void detach(ParkSlot& slot) {
    std::lock_guard lock(mutex_);
    mark_busy(slot);
    slots_.erase(std::find(slots_.begin(), slots_.end(), &slot));
    if (slot.role_ == ParkSlot::Role::waiter) --waiters_;
    nudge_idle();  // with one fewer thread, the rest may all be idle now: let them look
  }

  void wait(ParkSlot& me, std::unique_lock<std::mutex>& lock, std::optional<Instant> deadline) {
    me.idle_ = true;
    ++idle_;
    if (deadline) {
      me.wakeup_.wait_until(lock, *deadline);
    } else {
      me.wakeup_.wait(lock);
    }
    mark_busy(me);
  }
  void mark_busy(ParkSlot& slot) {
    if (slot.idle_) {
      slot.idle_ = false;
      --idle_;
    }
  }
  void nudge_idle() {
    for (ParkSlot* slot : slots_) {
      if (slot->idle_) slot->wakeup_.notify_one();
    }
  }

  // Pops every due entry, then wakes them with the lock released: a waker may run arbitrary
  // code, such as a future's poll on this very thread that registers a new timer.
  std::size_t fire_due(std::unique_lock<std::mutex>& lock) {
    if (heap_.empty()) return 0;
    auto now = clock_.now();
    std::vector<Waker> due;
    while (!heap_.empty() && heap_.front()->deadline_ <= now) {
      TimerEntry* entry = heap_.front();
      remove(0);
      entry->fired_ = true;
      due.push_back(std::move(*entry->waker_));
      entry->waker_.reset();
    }
    if (due.empty()) return 0;
    lock.unlock();
    for (auto& waker : due) std::move(waker).wake();
    lock.lock();
    return due.size();
  }

  // --- The heap: heap_[0] is the earliest; each entry knows its slot so cancel is O(log n) ---
  static bool earlier(TimerEntry const* a, TimerEntry const* b) {
    return a->deadline_ != b->deadline_ ? a->deadline_ < b->deadline_ : a->order_ < b->order_;
  }
  void place(TimerEntry* entry, std::size_t slot) {
    heap_[slot] = entry;
    entry->slot_ = slot;
  }
  void push(TimerEntry* entry) {
    heap_.push_back(entry);
    sift_up(heap_.size() - 1);
  }
  void remove(std::size_t slot) {
    heap_[slot]->slot_ = TimerEntry::not_queued;
    TimerEntry* last = heap_.back();
    heap_.pop_back();
    if (slot == heap_.size()) return;
    place(last, slot);
    sift_up(slot);
    sift_down(last->slot_);
  }
  void sift_up(std::size_t slot) {
    TimerEntry* entry = heap_[slot];
    while (slot > 0) {
      std::size_t parent = (slot - 1) / 2;
      if (!earlier(entry, heap_[parent])) break;
      place(heap_[parent], slot);
      slot = parent;
    }
    place(entry, slot);
  }
  void sift_down(std::size_t slot) {
    TimerEntry* entry = heap_[slot];
    for (;;) {
      std::size_t child = 2 * slot + 1;
      if (child >= heap_.size()) break;
      if (child + 1 < heap_.size() && earlier(heap_[child + 1], heap_[child])) ++child;
      if (!earlier(heap_[child], entry)) break;
      place(heap_[child], slot);
      slot = child;
    }
    place(entry, slot);
  }

  Clock clock_;
  mutable std::mutex mutex_;
  std::vector<TimerEntry*> heap_;
  std::uint64_t next_order_ = 0;
  std::vector<ParkSlot*> slots_;  // every thread that may park here
  std::size_t waiters_ = 0;       // how many of them are block_on callers
  std::size_t idle_ = 0;          // how many of them wait inside park() right now
};

inline TimerDriver& TimerDriver::current() {
  if (TimerDriver* driver = current_slot()) return *driver;
  // Made once and never destroyed: its thread parks in it until the process ends.
  static TimerDriver* const background = [] {
    auto driver = std::make_shared<TimerDriver>(Clock::Kind::real);
    std::thread([driver] {
      ParkSlot slot(*driver);
      for (;;) driver->park(slot);
    }).detach();
    return driver.get();
  }();
  return *background;
}

/// The time on the clock of the current runtime (the real time outside any runtime).
inline Instant now() { return TimerDriver::current().now(); }

}  // namespace wb
