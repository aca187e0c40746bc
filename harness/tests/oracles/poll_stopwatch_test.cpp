// The stopwatch behind every blocking check: a poll over the limit blocked its thread when it
// slept or spun; only the time it lost waiting for a CPU is forgiven. Every answer here holds
// however loaded the machine is: the limits are below what the poll surely did (a 60 ms sleep,
// 60 ms of its own CPU), and the quick poll is checked against times measured around it.
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
  // not longer than a limit it stayed within: the time it took itself
  CHECK_FALSE(stopwatch.blocked_longer_than(stopwatch.took()));
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

TEST_CASE("a quick poll blocked nothing, even when the machine preempted it") {
  auto const before = PollStopwatch::Clock::now();
  PollStopwatch stopwatch;
  stopwatch.stop();
  auto const after = PollStopwatch::Clock::now();
  CHECK(stopwatch.took() <= after - before);
  // Neither slept nor spun: however long a loaded machine kept it from a CPU, not blocking.
  CHECK_FALSE(stopwatch.blocked_longer_than(20ms));
}
