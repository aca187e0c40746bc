// Wrong on purpose: wakes on every poll, the final Ready one included.
#pragma once
#include <string>
#include <wb/core/future.hpp>
class CountdownFuture {
 public:
  using Output = std::string;
  explicit CountdownFuture(unsigned count) : count_(count) {}
  wb::Poll<std::string> poll(wb::Context& cx) {
    cx.waker().wake_by_ref();
    if (count_ == 0) return std::string("Liftoff!");
    --count_;
    return wb::pending;
  }

 private:
  unsigned count_;
};
