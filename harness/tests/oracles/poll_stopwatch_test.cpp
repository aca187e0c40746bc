// The stopwatch behind every blocking check: a poll over the limit blocked its thread when it
// slept or spun; only the time it lost waiting for a CPU is forgiven.
#include "wb/oracle/poll_stopwatch.hpp"

#include <time.h>

#include <chrono>
#include <thread>

#include "wb/testing/catch.hpp"

using namespace std::chrono_literals;
using wb::oracle::PollStopwatch;

namespace {

std::chrono::nanoseconds thread_cpu_time() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
}

}  // namespace

TEST_CASE("a poll that sleeps past the limit blocked its thread") {
  PollStopwatch stopwatch;
  std::this_thread::sleep_for(60ms);
  stopwatch.stop();
  CHECK(stopwatch.took() >= 60ms);
  CHECK(stopwatch.blocked_longer_than(20ms));
  CHECK_FALSE(stopwatch.blocked_longer_than(10s));  // not longer than a limit it stayed under
}

TEST_CASE("a poll that spins past the limit blocked its thread, although it never slept") {
  // Spins until this thread has used 60 ms of CPU, however long a busy machine makes that take.
  auto const cpu_at_start = thread_cpu_time();
  PollStopwatch stopwatch;
  while (thread_cpu_time() - cpu_at_start < 60ms) {
  }
  stopwatch.stop();
  CHECK(stopwatch.blocked_longer_than(20ms));
}

TEST_CASE("a quick poll blocked nothing") {
  PollStopwatch stopwatch;
  stopwatch.stop();
  CHECK(stopwatch.took() < 20ms);
  CHECK_FALSE(stopwatch.blocked_longer_than(20ms));
}
