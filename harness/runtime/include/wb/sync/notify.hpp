// wb::Notify — wakes waiting futures without carrying a value: the async form of a condition
// variable, minus the mutex. notify_one() wakes the first waiter or, when nobody waits, leaves
// one permit so that the next notified() is Ready at once (a notification is never lost).
// notify_waiters() wakes everyone waiting, and also every notified() future already made but
// not yet polled, so "make the future, check the condition, await it" has no gap to fall into.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <utility>

#include "wb/core/address_check.hpp"
#include "wb/core/contract.hpp"
#include "wb/core/future.hpp"
#include "wb/sync/wait_list.hpp"

namespace wb {

class Notify {
 public:
  Notify() = default;
  Notify(Notify const&) = delete;
  Notify& operator=(Notify const&) = delete;

  class Notified;
  /// A future that is Ready when this Notify is notified (see the top of this file for which
  /// notifications count).
  Notified notified();

  // ANCHOR: notify_one
  /// Wakes the longest-waiting future, or stores a permit for the next one if none is waiting.
  void notify_one() {
    std::optional<Waker> to_wake;
    {
      std::lock_guard lock(mutex_);
      to_wake = notify_one_locked();
    }
    if (to_wake) std::move(*to_wake).wake();
  }
  // ANCHOR_END: notify_one

  /// Wakes every future waiting now (and those made but not yet polled); stores no permit.
  void notify_waiters() {
    WakeList wakes;
    std::unique_lock lock(mutex_);
    ++generation_;
    waiters_.drain(lock, wakes, [](Waiter& waiter) {
      waiter.notified = true;
      return true;
    });
  }

 private:
  struct Waiter : wb::Waiter {
    bool notified = false;
    bool by_one = false;  // by notify_one: passed on if the future is dropped unobserved
  };

  std::optional<Waker> notify_one_locked() {
    Waiter* first = waiters_.pop_front();
    if (!first) {
      permit_ = true;
      return std::nullopt;
    }
    first->notified = true;
    first->by_one = true;
    return first->take_waker();
  }

  std::mutex mutex_;
  WaitList<Waiter> waiters_;
  bool permit_ = false;
  std::uint64_t generation_ = 0;  // how many notify_waiters() calls so far
};

class Notify::Notified {
 public:
  using Output = void;

  explicit Notified(Notify& notify) : notify_(&notify) {
    std::lock_guard lock(notify.mutex_);
    generation_ = notify.generation_;
  }
  Notified(Notified&& other) : notify_(other.notify_), generation_(other.generation_) {
    if (other.started_) throw ContractViolation("a Notified future was moved after its first poll");
  }
  Notified& operator=(Notified&&) = delete;
  ~Notified() {
    if (!started_ || done_) return;
    std::optional<Waker> to_wake;
    {
      std::lock_guard lock(notify_->mutex_);
      if (waiter_.queued) {
        notify_->waiters_.remove(waiter_);
      } else if (waiter_.by_one) {
        to_wake = notify_->notify_one_locked();  // it was ours and nobody saw it: pass it on
      }
    }
    if (to_wake) std::move(*to_wake).wake();
  }

  Poll<void> poll(Context& cx) {
    check_.on_poll(this);
    if (done_) throw ContractViolation("a Notified future was polled after it returned Ready");
    std::optional<Waker> replaced;  // released after the lock (the waker rule, core/waker.hpp)
    std::lock_guard lock(notify_->mutex_);
    if (!started_) {
      started_ = true;
      if (notify_->generation_ != generation_) return finish();  // notify_waiters since made
      if (notify_->permit_) {
        notify_->permit_ = false;
        return finish();
      }
      notify_->waiters_.push_back(waiter_);
    }
    if (waiter_.notified) return finish();
    replaced = waiter_.set_waker(cx.waker());
    return pending;
  }

 private:
  Poll<void> finish() {
    done_ = true;
    return Poll<void>::ready();
  }

  Notify* notify_;
  std::uint64_t generation_;
  Notify::Waiter waiter_;
  bool started_ = false;
  bool done_ = false;
  [[no_unique_address]] AddressCheck check_;
};

inline Notify::Notified Notify::notified() { return Notified(*this); }

}  // namespace wb
