// Exercise: CountdownFuture — Pending `count` times, waking itself each time, then Ready with
// "Liftoff!". Read book/src/ch02-future-concept.md, then replace each WB_TODO.
// Check your work with:  scripts/workbook check ch02
#pragma once

#include <string>

#include <wb/core/future.hpp>
#include <wb/core/contract.hpp>

class CountdownFuture {
 public:
  using Output = std::string;

  explicit CountdownFuture(unsigned count) : count_(count) {}

  wb::Poll<std::string> poll(wb::Context& cx) {
    (void)cx;
    WB_TODO("count down: return wb::pending after waking the task while count_ > 0, "
            "then return \"Liftoff!\"");
  }

 private:
  unsigned count_;
};
