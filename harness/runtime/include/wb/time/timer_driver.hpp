// wb::TimerDriver — the timer queue of a runtime: one of the two sources of wake-ups behind an
// executor's park() (exec/driver.hpp), which sleeps in epoll_wait until the next deadline here.
// Outside any runtime a process-wide driver with a thread of its own serves wb::sleep.
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
#include <functional>
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
  ///
  /// The rule for every primitive that keeps wakers under a lock: a waker that is replaced or
  /// dropped is moved out and dropped after the lock is released. Dropping the last reference
  /// to a task runs its destructor, which may come back here (a Sleep inside it cancels).
  bool poll_timer(TimerEntry& entry, Instant deadline, Waker const& waker) {
    std::optional<Waker> replaced;  // declared before the lock: dropped after it
    {
      std::lock_guard lock(mutex_);
      if (entry.fired_) return true;
      if (entry.slot_ != TimerEntry::not_queued) {
        if (!entry.waker_->will_wake(waker)) replaced = std::exchange(entry.waker_, waker);
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
      if (entry.slot_ != 0 || clock_.is_virtual()) return false;
    }
    // Whoever sleeps until the old first deadline must look again.
    if (new_first_deadline_) new_first_deadline_();
    return false;
  }

  /// Takes `entry` out of the queue and forgets that it fired, so it can be registered anew.
  /// A future calls this from its destructor: dropping a timer cancels it.
  void cancel(TimerEntry& entry) noexcept {
    std::optional<Waker> dropped;  // declared before the lock: dropped after it
    std::lock_guard lock(mutex_);
    if (entry.slot_ != TimerEntry::not_queued) remove(entry.slot_);
    entry.fired_ = false;
    dropped.swap(entry.waker_);
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

  /// Calls `hook` (on the registering thread, after the lock is released) whenever a newly
  /// registered timer becomes the first in the queue on a real clock: whoever sleeps until the
  /// old first deadline must look again. Set once, before the driver is shared.
  void on_new_first_deadline(std::function<void()> hook) { new_first_deadline_ = std::move(hook); }

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
  std::function<void()> new_first_deadline_;
};

inline TimerDriver& TimerDriver::current() {
  if (TimerDriver* driver = current_slot()) return *driver;
  // Made once and never destroyed: its thread sleeps until the next deadline (or until a new
  // first timer rings its bell) and fires what is due, until the process ends.
  struct Bell {
    std::mutex mutex;
    std::condition_variable rung;
    bool ringing = false;
  };
  static TimerDriver* const background = [] {
    auto driver = std::make_shared<TimerDriver>(Clock::Kind::real);
    auto bell = std::make_shared<Bell>();
    driver->on_new_first_deadline([bell] {
      std::lock_guard lock(bell->mutex);
      bell->ringing = true;
      bell->rung.notify_one();
    });
    std::thread([driver, bell] {
      for (;;) {
        driver->fire_due();
        std::optional<Instant> next = driver->next_deadline();
        std::unique_lock lock(bell->mutex);
        auto rang = [&] { return bell->ringing; };
        if (next) {
          bell->rung.wait_until(lock, *next, rang);
        } else {
          bell->rung.wait(lock, rang);
        }
        bell->ringing = false;
      }
    }).detach();
    return driver.get();
  }();
  return *background;
}

/// The time on the clock of the current runtime (the real time outside any runtime).
inline Instant now() { return TimerDriver::current().now(); }

}  // namespace wb
