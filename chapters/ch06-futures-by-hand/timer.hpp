// Exercise: TimerFuture — Ready once `duration` has passed since its first poll. A thread does
// the waiting and wakes the task; the future only checks a flag. Read
// book/src/ch06-futures-by-hand.md, then replace the WB_TODO.
// Check your work with:  scripts/workbook check ch06
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <wb/core/contract.hpp>
#include <wb/core/future.hpp>

// ANCHOR: timer_stub
class TimerFuture {
 public:
  using Output = void;

  explicit TimerFuture(std::chrono::milliseconds duration) : duration_(duration) {}

  wb::Poll<void> poll(wb::Context& cx) {
    (void)cx;
    WB_TODO(
        "on the first poll start a thread that sleeps for duration_, then sets "
        "completed and wakes the stored waker; on every poll return Ready if completed, "
        "else store the newest waker and return wb::pending");
  }

 private:
  // What the future and its timer thread share. The thread must own a std::shared_ptr to it:
  // the future may be destroyed before the timer fires, and the thread must not care.
  struct SharedState {
    std::mutex mutex;
    bool completed = false;          // set by the thread when the time is up
    std::optional<wb::Waker> waker;  // the waker of the latest poll: the one to wake
  };

  std::chrono::milliseconds duration_;
  std::shared_ptr<SharedState> state_ = std::make_shared<SharedState>();
  bool started_ = false;  // the thread is started once, at the first poll
};
// ANCHOR_END: timer_stub
