// Time: the clock (real and virtual), the timer driver's queue, sleep, timeout and interval,
// and the promise of virtual time: instant, and the same on every run.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime_helpers.hpp"
#include "wb/exec/block_on.hpp"
#include "wb/exec/runtime.hpp"
#include "wb/oracle/oracles.hpp"
#include "wb/task/task.hpp"
#include "wb/testing/catch.hpp"
#include "wb/time/clock.hpp"
#include "wb/time/interval.hpp"
#include "wb/time/sleep.hpp"
#include "wb/time/timeout.hpp"
#include "wb/time/timer_driver.hpp"

using namespace std::chrono_literals;
using wb::testing::Stopwatch;

namespace {

wb::Runtime virtual_runtime() { return wb::Runtime::builder().virtual_time().build(); }

// A waker that appends its id to a log when woken: shows the order in which timers fire.
struct LoggingTarget {
  std::vector<int>* log;
  int id;
  void wake() { log->push_back(id); }
};
wb::Waker logging_waker(std::vector<int>& log, int id) {
  return wb::waker_from(std::make_shared<LoggingTarget>(LoggingTarget{&log, id}));
}

}  // namespace

TEST_CASE("a virtual clock stands still until it is advanced and never goes back") {
  wb::Clock clock(wb::Clock::Kind::paused);
  auto start = clock.now();
  CHECK(clock.now() == start);
  clock.advance(5s);
  CHECK(clock.now() == start + 5s);
  clock.advance_to(start + 1s);  // the past: ignored
  CHECK(clock.now() == start + 5s);
  wb::Clock real;
  CHECK_THROWS_AS(real.advance(1s), wb::ContractViolation);
}

TEST_CASE("the timer driver fires by deadline and equal deadlines in registration order") {
  auto driver = std::make_shared<wb::TimerDriver>(wb::Clock::Kind::paused);
  auto t0 = driver->now();
  std::vector<int> log;
  std::vector<std::unique_ptr<wb::TimerEntry>> entries;
  std::vector<std::pair<int, wb::Duration>> timers = {{1, 30ms}, {2, 10ms}, {3, 30ms},
                                                      {4, 20ms}, {5, 10ms}, {6, 5ms}};
  for (auto [id, after] : timers) {
    entries.push_back(std::make_unique<wb::TimerEntry>());
    CHECK_FALSE(driver->poll_timer(*entries.back(), t0 + after, logging_waker(log, id)));
  }
  CHECK(driver->pending_timers() == 6);
  CHECK(driver->next_deadline() == t0 + 5ms);
  while (driver->advance_to_next_timer()) {
  }
  CHECK(log == std::vector<int>{6, 2, 5, 4, 1, 3});
  CHECK(driver->now() == t0 + 30ms);
  for (auto& entry : entries) CHECK(driver->poll_timer(*entry, t0, wb::Waker::noop()));
}

TEST_CASE("a cancelled timer leaves the queue and never fires") {
  auto driver = std::make_shared<wb::TimerDriver>(wb::Clock::Kind::paused);
  std::vector<int> log;
  wb::TimerEntry a, b, c;
  auto t0 = driver->now();
  (void)driver->poll_timer(a, t0 + 1s, logging_waker(log, 1));
  (void)driver->poll_timer(b, t0 + 2s, logging_waker(log, 2));
  (void)driver->poll_timer(c, t0 + 3s, logging_waker(log, 3));
  driver->cancel(b);
  CHECK(driver->pending_timers() == 2);
  while (driver->advance_to_next_timer()) {
  }
  CHECK(log == std::vector<int>{1, 3});
}

TEST_CASE("a timer keeps the newest waker it was polled with") {
  auto driver = std::make_shared<wb::TimerDriver>(wb::Clock::Kind::paused);
  std::vector<int> log;
  wb::TimerEntry entry;
  auto deadline = driver->now() + 1s;
  (void)driver->poll_timer(entry, deadline, logging_waker(log, 1));
  (void)driver->poll_timer(entry, deadline, logging_waker(log, 2));
  driver->advance_to_next_timer();
  CHECK(log == std::vector<int>{2});
}

TEST_CASE("sleep on virtual time ends at exactly its deadline without waiting for it") {
  auto runtime = virtual_runtime();
  auto start = runtime.now();
  Stopwatch wall;
  runtime.block_on(wb::sleep(1h));
  CHECK(runtime.now() == start + 1h);
  CHECK(wall.elapsed() < 1s);
}

TEST_CASE("sleep on real time waits at least its duration") {
  auto runtime = wb::Runtime::builder().build();
  Stopwatch wall;
  runtime.block_on(wb::sleep(30ms));
  CHECK(wall.elapsed() >= 30ms);
  CHECK(wall.elapsed() < 2s);
}

TEST_CASE("sleep_until a deadline that has passed is Ready at the first poll") {
  auto runtime = virtual_runtime();
  wb::Context cx(wb::Waker::noop());
  auto past = wb::sleep_until(runtime.now());
  wb::TimerDriver::Enter in(runtime.timer_driver());
  CHECK(past.poll(cx).is_ready());
  CHECK(runtime.timer_driver().pending_timers() == 0);
}

TEST_CASE("sleep works outside any runtime through the background timer thread") {
  Stopwatch wall;
  wb::block_on(wb::sleep(20ms));
  CHECK(wall.elapsed() >= 20ms);
}

TEST_CASE("sleep passes every oracle") {
  wb::oracle::Options options;
  options.expected_polls = 2;  // the first poll registers the timer, the wake brings the second
  CHECK(wb::oracle::parking(wb::sleep(10ms), options).polls == 2);
  CHECK(wb::oracle::spurious(wb::sleep(10ms), options).polls == 2);
  CHECK(wb::oracle::waker_swap(wb::sleep(10ms), options).polls == 2);
  CHECK(wb::oracle::threaded(wb::sleep(10ms), options).polls == 2);
  CHECK(wb::oracle::after_ready(wb::sleep(10ms), options).polls == 2);
  wb::oracle::spin(wb::sleep(5ms));
}

TEST_CASE("a sleep dropped before its deadline takes its timer out of the queue") {
  auto runtime = virtual_runtime();
  wb::TimerDriver::Enter in(runtime.timer_driver());
  wb::Context cx(wb::Waker::noop());
  {
    auto nap = wb::sleep(1s);
    CHECK(nap.poll(cx).is_pending());
    CHECK(runtime.timer_driver().pending_timers() == 1);
  }
  CHECK(runtime.timer_driver().pending_timers() == 0);
}

TEST_CASE("timeout gives the output when the future finishes first") {
  auto runtime = virtual_runtime();
  auto result = runtime.block_on(wb::timeout(1s, []() -> wb::Task<int> {
    co_await wb::sleep(10ms);
    co_return 7;
  }()));
  REQUIRE(result.has_value());
  CHECK(*result == 7);
  CHECK(runtime.timer_driver().pending_timers() == 0);  // the losing timer is gone
}

TEST_CASE("timeout gives Elapsed and drops the inner future when time runs out") {
  auto runtime = virtual_runtime();
  auto dropped = wb::testing::make_flag();
  auto start = runtime.now();
  auto slow = [](wb::testing::DropFlag) -> wb::Task<int> {
    co_await wb::sleep(1h);
    co_return 1;
  };
  auto outer = [&]() -> wb::Task<bool> {
    auto result = co_await wb::timeout(50ms, slow(wb::testing::DropFlag(dropped)));
    co_return dropped->load() && !result.has_value() && result.error() == wb::Elapsed{};
  };
  CHECK(runtime.block_on(outer()));  // dropped by the time the result came back
  CHECK(runtime.now() == start + 50ms);
}

TEST_CASE("timeout of a void future gives an empty Expected") {
  auto runtime = virtual_runtime();
  auto ok = runtime.block_on(wb::timeout(2s, wb::sleep(1s)));
  CHECK(ok.has_value());
  auto late = runtime.block_on(wb::timeout(1s, wb::sleep(2s)));
  CHECK_FALSE(late.has_value());
  CHECK_THROWS_AS(late.value(), wb::BadExpectedAccess);
}

TEST_CASE("an hour of timeouts runs in well under a second of virtual time") {
  auto runtime = virtual_runtime();
  auto start = runtime.now();
  Stopwatch wall;
  auto hour = []() -> wb::Task<int> {
    int elapsed = 0;
    for (int second = 0; second < 3600; ++second) {
      auto result = co_await wb::timeout(1s, wb::sleep(2s));
      if (!result) ++elapsed;
    }
    co_return elapsed;
  };
  CHECK(runtime.block_on(hour()) == 3600);
  CHECK(runtime.now() - start == 1h);
  CHECK(wall.elapsed() < 1s);
}

TEST_CASE("virtual time wakes timers in the same order on every run") {
  auto run_once = [] {
    auto runtime = virtual_runtime();
    auto order = std::make_shared<std::vector<int>>();
    std::uint32_t seed = 12345;  // a fixed pseudo-random sequence of durations, with ties
    for (int id = 0; id < 200; ++id) {
      seed = seed * 1664525u + 1013904223u;
      auto after = std::chrono::milliseconds((seed >> 16) % 50);
      runtime
          .spawn([](int id, wb::Duration after,
                    std::shared_ptr<std::vector<int>> order) -> wb::Task<void> {
            co_await wb::sleep(after);
            order->push_back(id);
            co_await wb::sleep(after);
            order->push_back(1000 + id);
          }(id, after, order))
          .detach();
    }
    runtime.block_on(wb::sleep(1s));
    return *order;
  };
  auto first = run_once();
  CHECK(first.size() == 400);
  for (int run = 0; run < 5; ++run) CHECK(run_once() == first);
}

TEST_CASE("an interval ticks at start plus multiples of its period and bursts to catch up") {
  auto runtime = virtual_runtime();
  auto t0 = runtime.now();
  auto ticks = runtime.block_on([]() -> wb::Task<std::vector<wb::Instant>> {
    auto every_second = wb::interval(1s);
    std::vector<wb::Instant> seen;
    for (int i = 0; i < 3; ++i) seen.push_back(co_await every_second.tick());  // 0, 1, 2 s
    co_await wb::sleep(2500ms);                                                // now 4.5 s
    for (int i = 0; i < 3; ++i) seen.push_back(co_await every_second.tick());  // 3, 4 at once; 5
    co_return seen;
  }());
  std::vector<wb::Instant> expected;
  for (int s = 0; s < 6; ++s) expected.push_back(t0 + std::chrono::seconds(s));
  CHECK(ticks == expected);
  CHECK(runtime.now() == t0 + 5s);
}

TEST_CASE("virtual time jumps only when every worker of a thread pool is idle") {
  auto runtime = wb::Runtime::builder().worker_threads(3).virtual_time().build();
  auto start = runtime.now();
  Stopwatch wall;
  std::vector<wb::JoinHandle<int>> handles;
  for (int i = 1; i <= 6; ++i) {
    handles.push_back(runtime.spawn([](int minutes) -> wb::Task<int> {
      co_await wb::sleep(std::chrono::minutes(minutes));
      co_return minutes;
    }(i * 10)));
  }
  int total = 0;
  for (auto& handle : handles) total += runtime.block_on(std::move(handle));
  CHECK(total == 210);
  CHECK(runtime.now() == start + 60min);
  CHECK(wall.elapsed() < 2s);
}
