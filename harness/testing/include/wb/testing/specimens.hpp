// Small futures with known behaviour, right and wrong, that the harness's own tests feed to
// the oracles and executors: each wrong one breaks exactly one rule of the poll contract.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "wb/core/future.hpp"

namespace wb::testing {

/// Correct: Pending `steps` times, waking itself each time, then Ready(steps).
class SelfWaking {
 public:
  using Output = int;
  explicit SelfWaking(int steps) : left_(steps), steps_(steps) {}
  Poll<int> poll(Context& cx) {
    if (left_ == 0) return steps_;
    --left_;
    cx.waker().wake_by_ref();
    return pending;
  }

 private:
  int left_;
  int steps_;
};

/// Shared by a future and the thread that completes it: a value slot and the newest waker.
struct Slot {
  std::mutex mutex;
  std::optional<int> value;
  std::optional<Waker> waker;

  void fill(int v) {
    std::optional<Waker> to_wake;
    {
      std::lock_guard lock(mutex);
      value = v;
      to_wake.swap(waker);
    }
    if (to_wake) std::move(*to_wake).wake();
  }

  /// Wrong: wakes while it still holds the lock that poll takes.
  void fill_waking_under_lock(int v) {
    std::lock_guard lock(mutex);
    value = v;
    if (waker) waker->wake_by_ref();
  }

  /// Wrong: takes the waker and wakes it first, and writes the value only after.
  void fill_waking_first(int v) {
    std::optional<Waker> to_wake;
    {
      std::lock_guard lock(mutex);
      to_wake.swap(waker);
    }
    if (to_wake) std::move(*to_wake).wake();
    std::lock_guard lock(mutex);
    value = v;
  }
};

/// Correct: Ready with the slot's value once it is filled, by whoever fills it (fill() or one
/// of the wrong ways above); reads under the slot's lock and stores the newest waker.
struct SlotReader {
  using Output = int;
  std::shared_ptr<Slot> slot;
  Poll<int> poll(Context& cx) {
    std::lock_guard lock(slot->mutex);
    if (slot->value) return *slot->value;
    slot->waker = cx.waker();
    return pending;
  }
};

/// Correct: on first poll starts a thread that fills the slot after `delay`; Ready(value) once
/// filled. Stores the newest waker on every poll.
class ThreadCompleted {
 public:
  using Output = int;
  ThreadCompleted(int value, std::chrono::milliseconds delay)
      : value_(value), delay_(delay), slot_(std::make_shared<Slot>()) {}
  ThreadCompleted(ThreadCompleted&&) = default;
  ~ThreadCompleted() {
    if (thread_.joinable()) thread_.join();
  }

  Poll<int> poll(Context& cx) {
    {
      std::lock_guard lock(slot_->mutex);
      if (slot_->value) return *slot_->value;
      if (!slot_->waker || !slot_->waker->will_wake(cx.waker())) slot_->waker = cx.waker();
    }
    if (!thread_.joinable()) {
      thread_ = std::thread([slot = slot_, v = value_, d = delay_] {
        std::this_thread::sleep_for(d);
        slot->fill(v);
      });
    }
    return pending;
  }

 private:
  int value_;
  std::chrono::milliseconds delay_;
  std::shared_ptr<Slot> slot_;
  std::thread thread_;
};

/// Wrong: Pending forever and never wakes anyone.
struct NeverWakes {
  using Output = int;
  Poll<int> poll(Context&) { return pending; }
};

/// Wrong: like ThreadCompleted, but keeps only the waker of the first poll.
class KeepsFirstWaker {
 public:
  using Output = int;
  explicit KeepsFirstWaker(std::chrono::milliseconds delay)
      : delay_(delay), slot_(std::make_shared<Slot>()) {}
  KeepsFirstWaker(KeepsFirstWaker&&) = default;
  ~KeepsFirstWaker() {
    if (thread_.joinable()) thread_.join();
  }

  Poll<int> poll(Context& cx) {
    {
      std::lock_guard lock(slot_->mutex);
      if (slot_->value) return *slot_->value;
      if (!slot_->waker) slot_->waker = cx.waker();
    }
    if (polls_++ == 0) {
      // Woken at once, so that a second poll (with a new waker) comes before the thread fires.
      cx.waker().wake_by_ref();
      thread_ = std::thread([slot = slot_, d = delay_] {
        std::this_thread::sleep_for(d);
        slot->fill(7);
      });
    }
    return pending;
  }

 private:
  std::chrono::milliseconds delay_;
  std::shared_ptr<Slot> slot_;
  std::thread thread_;
  int polls_ = 0;
};

/// Wrong: assumes that being polled again means the data arrived. Returns -1 when polled
/// before the thread filled the slot.
class AssumesPollMeansReady {
 public:
  using Output = int;
  explicit AssumesPollMeansReady(std::chrono::milliseconds delay) : inner_(42, delay) {}

  Poll<int> poll(Context& cx) {
    if (polled_) {
      auto again = inner_.poll(cx);
      return again.is_ready() ? std::move(again).value() : -1;  // "must be ready by now"
    }
    polled_ = true;
    return inner_.poll(cx);
  }

 private:
  ThreadCompleted inner_;
  bool polled_ = false;
};

/// Wrong: blocks the executor thread inside poll().
class SleepsInPoll {
 public:
  using Output = int;
  explicit SleepsInPoll(std::chrono::milliseconds nap) : nap_(nap) {}
  Poll<int> poll(Context&) {
    std::this_thread::sleep_for(nap_);
    return 1;
  }

 private:
  std::chrono::milliseconds nap_;
};

/// Wrong: wakes its waker in the poll that returns Ready.
class WakesWhenReady {
 public:
  using Output = int;
  Poll<int> poll(Context& cx) {
    cx.waker().wake_by_ref();
    if (polls_++ == 0) return pending;
    return 2;
  }

 private:
  int polls_ = 0;
};

}  // namespace wb::testing
