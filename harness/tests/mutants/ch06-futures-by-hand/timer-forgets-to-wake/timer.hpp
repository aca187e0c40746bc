// Mutant: the thread sets completed but never wakes the stored waker, so the
// task sleeps forever after Pending.
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
    {
      std::lock_guard lock(state_->mutex);
      if (state_->completed) return wb::Poll<void>::ready();
      // Store the newest waker; skip the copy when the stored one already wakes the same task.
      if (!state_->waker || !state_->waker->will_wake(cx.waker())) state_->waker = cx.waker();
    }
    if (!started_) {
      started_ = true;
      start_thread();
    }
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
      (void)waker;  // wrong: nobody is told that the timer fired
    }).detach();
  }

  std::chrono::milliseconds duration_;
  std::shared_ptr<SharedState> state_ = std::make_shared<SharedState>();
  bool started_ = false;
};
