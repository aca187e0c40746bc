// The blocking watchdog as a future adaptor: a poll that computes or sleeps past the limit is
// reported on a real runtime, with the poll and the time; a task that waits asynchronously is not.
#include "wb/oracle/timed_polls.hpp"

#include <chrono>
#include <string>
#include <thread>

#include "wb/exec/runtime.hpp"
#include "wb/task/task.hpp"
#include "wb/testing/catch.hpp"
#include "wb/time/sleep.hpp"

using namespace std::chrono_literals;
namespace oracle = wb::oracle;

namespace {

// The limits are far apart so that a loaded machine cannot blur them: the blocking poll sleeps
// three times the limit, and the polls of the waiting task take microseconds against it.
constexpr auto limit = 200ms;

// Wrong on purpose: waits by blocking the thread, in its second poll.
wb::Task<int> sleeps_on_the_thread() {
  co_await wb::sleep(1ms);
  std::this_thread::sleep_for(3 * limit);
  co_return 1;
}

wb::Task<int> sleeps_asynchronously() {
  co_await wb::sleep(60ms);
  co_return 2;
}

}  // namespace

TEST_CASE("timed polls name a poll that blocks the executor thread of a runtime") {
  auto runtime = wb::Runtime::builder().build();
  std::string verdict = "no verdict: the watchdog accepted the task";
  try {
    runtime.block_on(oracle::time_every_poll(sleeps_on_the_thread(), limit));
  } catch (wb::ContractViolation const& e) {
    verdict = e.what();
  }
  CHECK_THAT(verdict, Catch::Matchers::ContainsSubstring("blocking watchdog: poll #2 of your task took"));
  CHECK_THAT(verdict,
             Catch::Matchers::ContainsSubstring("the executor thread that polled it ran nothing else"));
  CHECK_THAT(verdict, Catch::Matchers::ContainsSubstring("wb::spawn_blocking"));
}

TEST_CASE("timed polls accept a task that waits without blocking") {
  auto runtime = wb::Runtime::builder().virtual_time().build();
  CHECK(runtime.block_on(oracle::time_every_poll(sleeps_asynchronously(), limit)) == 2);
}
