// Reference solution: CountdownFuture — Pending `count` times, waking itself each time, then
// Ready with "Liftoff!".
#pragma once

#include <string>

#include <wb/core/future.hpp>

// ANCHOR: countdown
class CountdownFuture {
 public:
  using Output = std::string;

  explicit CountdownFuture(unsigned count) : count_(count) {}

  wb::Poll<std::string> poll(wb::Context& cx) {
    if (count_ == 0) return std::string("Liftoff!");
    --count_;
    cx.waker().wake_by_ref();  // we can go on at once: ask to be polled again
    return wb::pending;
  }

 private:
  unsigned count_;
};
// ANCHOR_END: countdown
