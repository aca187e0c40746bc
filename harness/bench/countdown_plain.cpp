// The anchor of the check-latency benchmark: the countdown exercise tested the plainest way —
// one file, a main() and asserts, no test framework, no oracles. The benchmark compiles and runs
// it with the workbook's compiler and flags, to set `workbook check ch02` against it.
#include <cassert>
#include <cstdio>
#include <string>
#include <wb/core/context.hpp>
#include <wb/core/future.hpp>
#include <wb/core/waker.hpp>

namespace {

class CountdownFuture {
 public:
  using Output = std::string;

  explicit CountdownFuture(unsigned count) : count_(count) {}

  wb::Poll<std::string> poll(wb::Context& cx) {
    if (count_ == 0) return std::string("Liftoff!");
    --count_;
    cx.waker().wake_by_ref();
    return wb::pending;
  }

 private:
  unsigned count_;
};

// Polls until Ready; returns how many polls it took.
std::size_t polls_until_ready(CountdownFuture future, std::string& out) {
  wb::Context cx(wb::Waker::noop());
  for (std::size_t polls = 1;; ++polls) {
    auto result = future.poll(cx);
    if (result.is_ready()) {
      out = std::move(result).value();
      return polls;
    }
  }
}

}  // namespace

int main() {
  for (unsigned count : {0u, 3u, 1000u}) {
    std::string out;
    assert(polls_until_ready(CountdownFuture(count), out) == count + 1);
    assert(out == "Liftoff!");
  }
  std::puts("countdown: all asserts hold");
}
