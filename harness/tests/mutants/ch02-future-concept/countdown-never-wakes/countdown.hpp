// Wrong on purpose: returns Pending without arranging a wake-up.
#pragma once
#include <string>
#include <wb/core/future.hpp>
class CountdownFuture {
 public:
  using Output = std::string;
  explicit CountdownFuture(unsigned count) : count_(count) {}
  wb::Poll<std::string> poll(wb::Context&) {
    if (count_ == 0) return std::string("Liftoff!");
    --count_;
    return wb::pending;
  }

 private:
  unsigned count_;
};
