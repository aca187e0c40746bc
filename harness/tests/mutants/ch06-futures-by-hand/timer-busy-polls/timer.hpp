// Mutant: no thread: checks the clock at every poll and wakes itself while the time
// is not up, so the executor polls it in a busy loop.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <wb/core/future.hpp>

class TimerFuture {
 public:
  using Output = void;

  explicit TimerFuture(std::chrono::milliseconds duration) : duration_(duration) {}

  wb::Poll<void> poll(wb::Context& cx) {
    if (!started_) {
      started_ = true;
      deadline_ = std::chrono::steady_clock::now() + duration_;
    }
    if (std::chrono::steady_clock::now() >= deadline_) return wb::Poll<void>::ready();
    cx.waker().wake_by_ref();  // wrong: a busy loop, the executor never gets to sleep
    return wb::pending;
  }

 private:
  struct SharedState {
    std::mutex mutex;
    bool completed = false;
    std::optional<wb::Waker> waker;
  };

  void start_thread() {
    // The thread gets its own shared_ptr (a copy of state_) and the duration by value: nothing
    // that lives inside the future, so the future may be destroyed while the thread sleeps.
    std::thread([state = state_, duration = duration_] {
      std::this_thread::sleep_for(duration);
      std::optional<wb::Waker> waker;
      {
        std::lock_guard lock(state->mutex);
        state->completed = true;
        waker.swap(state->waker);
      }
      // Wake outside the lock: the executor may poll at once, and poll takes the same lock.
      if (waker) std::move(*waker).wake();
    }).detach();
  }

  std::chrono::milliseconds duration_;
  std::shared_ptr<SharedState> state_ = std::make_shared<SharedState>();
  bool started_ = false;
  std::chrono::steady_clock::time_point deadline_;
};
