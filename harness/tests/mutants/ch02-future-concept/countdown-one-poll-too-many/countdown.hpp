// Wrong on purpose: off by one, Pending count+1 times.
#pragma once
#include <string>
#include <wb/core/future.hpp>
class CountdownFuture {
 public:
  using Output = std::string;
  explicit CountdownFuture(unsigned count) : count_(count + 1) {}
  wb::Poll<std::string> poll(wb::Context& cx) {
    if (count_ == 0) return std::string("Liftoff!");
    --count_;
    cx.waker().wake_by_ref();
    return wb::pending;
  }

 private:
  unsigned count_;
};
