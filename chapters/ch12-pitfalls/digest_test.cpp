// Tests for the checksum: right, and computed off the executor. The blocking watchdog times every
// poll of the task on a real runtime; a heartbeat task on the same single-threaded runtime shows
// whether the executor could run anything else while the checksum was computed.
#include <checksum.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <digest.hpp>
#include <thread>
#include <vector>
#include <wb/core/poll_fn.hpp>
#include <wb/exec/runtime.hpp>
#include <wb/oracle/timed_polls.hpp>
#include <wb/task/spawn.hpp>
#include <wb/task/task.hpp>
#include <wb/testing/catch.hpp>
#include <wb/time/sleep.hpp>

using namespace std::chrono_literals;
namespace oracle = wb::oracle;
using SteadyClock = std::chrono::steady_clock;

namespace {

std::vector<std::uint8_t> megabyte() {
  std::vector<std::uint8_t> data(1 << 20);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 7 + 3);
  return data;
}

std::uint64_t fnv1a(std::vector<std::uint8_t> const& data) {
  std::uint64_t hash = 14695981039346656037ull;
  for (std::uint8_t byte : data) hash = (hash ^ byte) * 1099511628211ull;
  return hash;
}

long long ms(SteadyClock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

// Ticks every 5 ms for 300 ms, noting when each tick ran.
wb::Task<void> heartbeat(std::vector<SteadyClock::time_point>& ticks) {
  for (int i = 0; i < 60; ++i) {
    co_await wb::sleep(5ms);
    ticks.push_back(SteadyClock::now());
  }
}

wb::Task<std::uint64_t> checksum_beside_a_heartbeat(std::vector<SteadyClock::time_point>& ticks) {
  auto beat = wb::spawn(heartbeat(ticks));
  std::uint64_t const sum = co_await checksum_off_executor(megabyte());
  co_await beat;
  co_return sum;
}

}  // namespace

TEST_CASE("the checksum of a buffer comes back right") {
  auto runtime = wb::Runtime::builder().build();
  CHECK(runtime.block_on(checksum_off_executor(megabyte())) == fnv1a(megabyte()));
}

TEST_CASE("the checksum never blocks the executor that polls the task") {
  auto runtime = wb::Runtime::builder().build();
  auto const sum =
      runtime.block_on(oracle::time_every_poll(checksum_off_executor(megabyte()), 100ms));
  CHECK(sum == fnv1a(megabyte()));
}

TEST_CASE("other tasks on the runtime keep running while the checksum is computed") {
  ChecksumLog::reset();
  std::vector<SteadyClock::time_point> ticks;
  auto runtime = wb::Runtime::builder().build();  // one thread: the one that calls block_on
  auto const sum = runtime.block_on(checksum_beside_a_heartbeat(ticks));
  CHECK(sum == fnv1a(megabyte()));
  auto const run = ChecksumLog::latest();
  REQUIRE(run.has_value());
  std::size_t during = 0;
  for (auto tick : ticks) during += tick > run->started && tick < run->finished ? 1 : 0;
  INFO("while the checksum was computed ("
       << ms(run->finished - run->started)
       << " ms), a heartbeat task on the same one-thread runtime, "
          "due every 5 ms, ran "
       << during
       << " times: the executor thread was busy with the "
          "checksum. A task spawned with wb::spawn runs on the "
          "executor too; hand the work to wb::spawn_blocking");
  CHECK(during > 0);
}

TEST_CASE("the checksum runs on a thread of its own and not the executor's") {
  ChecksumLog::reset();
  auto runtime = wb::Runtime::builder().build();
  runtime.block_on(checksum_off_executor(megabyte()));
  auto const run = ChecksumLog::latest();
  REQUIRE(run.has_value());
  INFO("checksum() ran on the thread that runs the runtime's tasks: give it to wb::spawn_blocking");
  CHECK(run->thread != std::this_thread::get_id());
}

TEST_CASE("a checksum whose caller gives up still reads only data it owns") {
  // The task is polled once — which hands the work to another thread — and dropped at once, as
  // a caller that gives up (a timeout, a select) drops it. The work goes on without the task, so
  // it must not read anything the task's frame held: under AddressSanitizer a read of the freed
  // buffer ends the program with "memory used after it was freed". Three rounds, each waiting
  // for the work to end before the next.
  for (int round = 1; round <= 3; ++round) {
    ChecksumLog::reset();
    auto runtime = wb::Runtime::builder().build();
    runtime.block_on([]() -> wb::Task<void> {
      auto task = checksum_off_executor(megabyte());
      auto poll_once = wb::poll_fn([&task](wb::Context& cx) -> wb::Poll<void> {
        (void)task.poll(cx);
        return wb::Poll<void>::ready();
      });
      co_await poll_once;
    }());  // the task is dropped here, with the checksum still running or about to
    // Wait for the checksum to end (it takes 200 ms), so that it ends inside this test.
    auto const give_up_at = SteadyClock::now() + 20s;
    while (!ChecksumLog::latest() && SteadyClock::now() < give_up_at) {
      std::this_thread::sleep_for(1ms);
    }
    INFO("round " << round
                  << ": after its task was dropped, the checksum handed to another thread "
                     "never finished within 20 s. The work given to wb::spawn_blocking runs to "
                     "its end even when nobody waits for it any more");
    REQUIRE(ChecksumLog::latest().has_value());
  }
}
