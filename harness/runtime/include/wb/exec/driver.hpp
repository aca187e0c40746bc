// wb::Driver — the one call through which every executor goes idle, park(): "sleep until a
// waker fires, the next timer is due or a registered fd is ready". Its two sources of wake-ups
// are a TimerDriver (time/) and an IoDriver (io/); park is one epoll_wait whose timeout is the
// next deadline, and an eventfd lets unpark() cut it short from any thread.
//
// Of the threads parked in one driver, one at a time is the *poller*: it sits in epoll_wait, and
// fires the timers. The others sleep on a condition variable of their own until unparked; when
// the poller leaves to run tasks, it wakes one of them to take its place, so a task that blocks
// its thread does not stop the timers and sockets of the others. A thread that is busy running
// tasks turns the driver without waiting now and then (poll_now), so neither timers nor sockets
// starve while every thread has work.
//
// Virtual time: the paused clock jumps to the next deadline only when every parked thread is
// idle, some thread waits in block_on, and an epoll_wait with a zero timeout — made after the
// last thread went idle — found no fd ready. I/O that is already ready therefore always wins
// over a jump; I/O that is still on its way (a peer that has not written yet) does not hold the
// clock back. With no timer queued, the poller waits for I/O (or an unpark) as long as it takes.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "wb/io/io_driver.hpp"
#include "wb/time/clock.hpp"
#include "wb/time/timer_driver.hpp"

namespace wb {

class Driver {
 public:
  explicit Driver(Clock::Kind clock = Clock::Kind::real)
      : timers_(std::make_shared<TimerDriver>(clock)), io_(std::make_shared<IoDriver>()) {
    // A timer that becomes the first in the queue shortens the poller's wait (real time only:
    // a virtual deadline means nothing to epoll_wait).
    timers_->on_new_first_deadline([io = io_] { io->wake_if_waiting(); });
  }
  Driver(Driver const&) = delete;
  Driver& operator=(Driver const&) = delete;

  TimerDriver& timers() noexcept { return *timers_; }
  IoDriver& io() noexcept { return *io_; }

  /// One thread that parks in this driver: an executor's thread, a worker, a block_on caller.
  /// Virtual time moves only while some thread waits for a result in block_on (a `waiter`) and
  /// every attached thread is parked with nothing to do: a worker idling while the program is
  /// still busy spawning must not make time fly.
  class ParkSlot {
   public:
    enum class Role { worker, waiter };
    explicit ParkSlot(Driver& driver, Role role = Role::waiter) : driver_(driver), role_(role) {
      driver_.attach(*this);
    }
    ~ParkSlot() { driver_.detach(*this); }
    ParkSlot(ParkSlot const&) = delete;
    ParkSlot& operator=(ParkSlot const&) = delete;

   private:
    friend class Driver;
    Driver& driver_;
    Role role_;
    std::condition_variable wakeup_;
    bool notified_ = false;  // the token: set by unpark, consumed by park
    bool idle_ = false;      // waiting inside park, not yet unparked
  };

  // ANCHOR: park
  /// Sleeps until `me` is unparked, a timer fires or an fd becomes ready, whichever comes
  /// first. Returns early, too, when it woke tasks itself (an executor's own timers or sockets
  /// put their tasks on its queue without unparking it).
  void park(ParkSlot& me) {
    std::unique_lock lock(mutex_);
    while (!me.notified_) {
      lock.unlock();
      bool const fired = timers_->fire_due() > 0;
      lock.lock();
      if (fired || me.notified_) break;
      if (turning_) {  // another thread polls: sleep until unparked
        if (all_idle_but(me) && timers_->clock().is_virtual()) io_->wake();  // it may jump now
        wait(me, lock);
        continue;
      }
      // Be the poller: one epoll_wait, its timeout the next deadline.
      bool const everyone_idle = all_idle_but(me);
      turning_ = true;
      poller_ = &me;
      go_idle(me);
      io_->begin_wait();  // before reading the deadline: a new first timer wakes this wait
      lock.unlock();
      std::optional<Instant> const next = timers_->next_deadline();
      std::optional<Duration> timeout;  // empty: until an event or a wake
      if (timers_->clock().is_virtual()) {
        if (next && everyone_idle) timeout = Duration::zero();  // just look, then maybe jump
      } else if (next) {
        timeout = std::max(Duration::zero(), *next - timers_->now());
      }
      std::size_t const woken = io_->turn(timeout);
      lock.lock();
      turning_ = false;
      poller_ = nullptr;
      mark_busy(me);
      if (woken > 0) break;  // the woken tasks are queued: go and run them
      if (timeout == Duration::zero() && timers_->clock().is_virtual() && all_idle_but(me) &&
          !me.notified_) {
        timers_->clock().advance_to(*next);  // nothing ready and everyone idle: skip the wait
      }
    }
    me.notified_ = false;
    // Leaving with nobody polling: an idle thread takes over, so that timers and sockets are
    // still watched while this one runs tasks (which may block it for a while).
    if (!turning_) hand_off_polling(me);
  }

  /// Ends a park() of `slot`, or makes its next one return at once. Any thread may call it.
  void unpark(ParkSlot& slot) {
    bool wake_poller = false;
    {
      std::lock_guard lock(mutex_);
      slot.notified_ = true;
      mark_busy(slot);
      wake_poller = poller_ == &slot;
      // Notified under the lock: once it is released the slot's thread may return from park
      // and destroy the slot.
      if (!wake_poller) slot.wakeup_.notify_one();
    }
    if (wake_poller) io_->wake_if_waiting();
  }
  // ANCHOR_END: park

  /// For a thread that is busy running tasks: fires the timers that are due and, when
  /// `with_io` and no other thread is polling, takes in the fds that are ready without waiting.
  void poll_now(bool with_io) {
    timers_->fire_due();
    if (!with_io) return;
    {
      std::lock_guard lock(mutex_);
      if (turning_) return;
      turning_ = true;
    }
    io_->turn(Duration::zero());
    std::lock_guard lock(mutex_);
    turning_ = false;
  }

  /// While alive, makes this driver's timers and I/O the current ones on this thread.
  class Enter {
   public:
    explicit Enter(Driver& driver) : timers_(*driver.timers_), io_(*driver.io_) {}

   private:
    TimerDriver::Enter timers_;
    IoDriver::Enter io_;
  };

 private:
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
    // With one fewer thread, the rest may all be idle now: let them look.
    for (ParkSlot* other : slots_) {
      if (other->idle_ && other != poller_) other->wakeup_.notify_one();
    }
    if (poller_) io_->wake();
  }

  void hand_off_polling(ParkSlot const& me) {
    for (ParkSlot* other : slots_) {
      if (other != &me && other->idle_) {
        other->wakeup_.notify_one();
        return;
      }
    }
  }

  /// Every attached thread but `me` is idle, and someone waits in block_on: with a virtual
  /// clock, nothing can happen before the next deadline unless I/O is ready.
  bool all_idle_but(ParkSlot const& me) const {
    return waiters_ > 0 && idle_ + (me.idle_ ? 0 : 1) == slots_.size();
  }

  void go_idle(ParkSlot& me) {
    me.idle_ = true;
    ++idle_;
  }
  void wait(ParkSlot& me, std::unique_lock<std::mutex>& lock) {
    go_idle(me);
    me.wakeup_.wait(lock);
    mark_busy(me);
  }
  void mark_busy(ParkSlot& slot) {
    if (slot.idle_) {
      slot.idle_ = false;
      --idle_;
    }
  }

  std::shared_ptr<TimerDriver> timers_;
  std::shared_ptr<IoDriver> io_;
  std::mutex mutex_;              // guards the rest
  std::vector<ParkSlot*> slots_;  // every thread that may park here
  std::size_t waiters_ = 0;       // how many of them are block_on callers
  std::size_t idle_ = 0;          // how many of them wait inside park() right now
  bool turning_ = false;          // a thread is in the I/O driver's turn
  ParkSlot* poller_ = nullptr;    // ... and this is its slot, when it turns from park()
};

}  // namespace wb
