// The runtime's executors: spin block_on and parking block_on.
#include <time.h>

#include <chrono>

#include "wb/exec/block_on.hpp"
#include "wb/exec/block_on_spin.hpp"
#include "wb/core/yield_now.hpp"
#include "wb/testing/catch.hpp"
#include "wb/testing/specimens.hpp"

using namespace std::chrono_literals;

namespace {
std::chrono::nanoseconds thread_cpu_time() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}
}  // namespace

TEST_CASE("block_on_spin and block_on give the same results") {
  CHECK(wb::block_on_spin(wb::testing::SelfWaking(5)) == 5);
  CHECK(wb::block_on(wb::testing::SelfWaking(5)) == 5);
  wb::block_on(wb::yield_now());
  wb::block_on_spin(wb::yield_now());
}

TEST_CASE("parking block_on sleeps while it waits instead of spinning") {
  auto cpu_before = thread_cpu_time();
  auto wall_before = std::chrono::steady_clock::now();
  CHECK(wb::block_on(wb::testing::ThreadCompleted(9, 150ms)) == 9);
  auto cpu = thread_cpu_time() - cpu_before;
  auto wall = std::chrono::steady_clock::now() - wall_before;
  CHECK(wall >= 150ms);
  CHECK(cpu < wall / 4);
}

TEST_CASE("parking block_on loses no wake-up that arrives before it parks") {
  for (int round = 0; round < 2000; ++round) {
    REQUIRE(wb::block_on(wb::testing::ThreadCompleted(round, 0ms)) == round);
  }
}

TEST_CASE("a parker remembers an unpark that came first") {
  wb::Parker parker;
  parker.unpark();
  parker.park();  // returns at once
  CHECK_FALSE(parker.park_until(std::chrono::steady_clock::now() + 10ms));
}
