// Wrong on purpose: stores the waker of the first poll and always wakes that one.
#pragma once
#include <optional>
#include <string>
#include <wb/core/future.hpp>
class CountdownFuture {
 public:
  using Output = std::string;
  explicit CountdownFuture(unsigned count) : count_(count) {}
  wb::Poll<std::string> poll(wb::Context& cx) {
    if (!waker_) waker_ = cx.waker();
    if (count_ == 0) return std::string("Liftoff!");
    --count_;
    waker_->wake_by_ref();
    return wb::pending;
  }

 private:
  unsigned count_;
  std::optional<wb::Waker> waker_;
};
