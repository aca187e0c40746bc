// Tests for spawn_with_deadline. The jobs are tasks that tick once a second (on virtual time, so
// a ten-second wait is instant and exact), with a flag that is set when the job's future is
// destroyed: that is how a test sees whether a task was aborted or merely detached. A randomized
// test times random jobs against random limits on virtual time.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deadline.hpp>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>
#include <wb/exec/runtime.hpp>
#include <wb/oracle/oracles.hpp>
#include <wb/task/scheduler.hpp>
#include <wb/testing/catch.hpp>
#include <wb/testing/duration_text.hpp>
#include <wb/testing/test_seed.hpp>
#include <wb/time/sleep.hpp>
#include <wb/time/timer_driver.hpp>

using namespace std::chrono_literals;

namespace {

/// What a job did, seen from outside: its ticks, whether its future is gone, where it ran.
struct Trace {
  std::atomic<int> ticks{0};
  std::atomic<bool> dropped{false};
  std::atomic<std::thread::id> thread{};
};

/// Sets trace->dropped when destroyed, that is when the future that holds it is destroyed.
struct DropMark {
  std::shared_ptr<Trace> trace;
  explicit DropMark(std::shared_ptr<Trace> t) : trace(std::move(t)) {}
  DropMark(DropMark&& other) noexcept : trace(std::move(other.trace)) {}
  ~DropMark() {
    if (trace) trace->dropped = true;
  }
};

/// Ticks `ticks` times, a second apart, then returns `output`.
wb::Task<int> ticking_job(std::shared_ptr<Trace> trace, int ticks, int output) {
  DropMark mark(trace);
  trace->thread = std::this_thread::get_id();
  for (int i = 0; i < ticks; ++i) {
    co_await wb::sleep(1s);
    ++trace->ticks;
  }
  co_return output;
}

wb::Task<int> failing_job() {
  co_await wb::sleep(1s);
  throw std::runtime_error("the job failed");
}

wb::Runtime virtual_runtime() { return wb::Runtime::builder().virtual_time().build(); }

/// Sleeps each of `steps` in turn, ticking after each, then returns `output`.
wb::Task<int> stepped_job(std::shared_ptr<Trace> trace, std::vector<wb::Duration> steps,
                          int output) {
  DropMark mark(trace);
  for (auto step : steps) {
    co_await wb::sleep(step);
    ++trace->ticks;
  }
  co_return output;
}

/// What a caller saw of one spawn_with_deadline: its answer, when, and the job's ticks then
/// and 10 s later.
struct Timed {
  bool in_time = false;
  int output = 0;
  wb::Duration took{};
  int ticks_then = 0;
  int ticks_later = 0;
  bool dropped_later = false;
};

wb::Task<Timed> timed_deadline(std::shared_ptr<Trace> trace, std::vector<wb::Duration> steps,
                               int output, wb::Duration limit) {
  Timed seen;
  auto const start = wb::now();
  auto result = co_await spawn_with_deadline(stepped_job(trace, std::move(steps), output), limit);
  seen.took = wb::now() - start;
  seen.in_time = result.has_value();
  if (result) seen.output = *result;
  seen.ticks_then = trace->ticks;
  co_await wb::sleep(10s);  // a job left running would go on ticking meanwhile
  seen.ticks_later = trace->ticks;
  seen.dropped_later = trace->dropped;
  co_return seen;
}

}  // namespace

TEST_CASE("a job that finishes in time gives its output as soon as it is done") {
  auto trace = std::make_shared<Trace>();
  auto runtime = virtual_runtime();
  auto start = runtime.now();
  auto result = runtime.block_on(spawn_with_deadline(ticking_job(trace, 2, 42), 5s));
  auto took = runtime.now() - start;
  REQUIRE(result.has_value());
  CHECK(*result == 42);
  INFO("the job took 2 s and the limit was 5 s, but spawn_with_deadline returned after "
       << std::chrono::duration<double>(took).count()
       << " s. Await the JoinHandle under wb::timeout, which is Ready as soon as the job is: do "
          "not sleep for the whole limit and look afterwards");
  CHECK(took == 2s);
}

TEST_CASE("a job that overruns gives Elapsed exactly at the deadline") {
  auto trace = std::make_shared<Trace>();
  auto runtime = virtual_runtime();
  auto start = runtime.now();
  auto result = runtime.block_on(spawn_with_deadline(ticking_job(trace, 100, 1), 3500ms));
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error() == wb::Elapsed{});
  CHECK(runtime.now() - start == 3500ms);
}

TEST_CASE("a job that overruns is aborted so its future is dropped and it does no more work") {
  auto trace = std::make_shared<Trace>();
  auto runtime = virtual_runtime();
  int ticks_at_deadline = -1;
  runtime.block_on([](std::shared_ptr<Trace> trace, int& ticks_at_deadline) -> wb::Task<void> {
    auto result = co_await spawn_with_deadline(ticking_job(trace, 100, 1), 3500ms);
    CHECK_FALSE(result.has_value());
    ticks_at_deadline = trace->ticks;
    co_await wb::sleep(10s);  // a detached job would tick ten more times meanwhile
  }(trace, ticks_at_deadline));
  CHECK(ticks_at_deadline == 3);
  INFO("the job kept running after spawn_with_deadline gave up on it: it ticked "
       << trace->ticks.load() - ticks_at_deadline
       << " more times in the next 10 s. Dropping a JoinHandle (which wb::timeout does when the "
          "time is up) only detaches the task; call abort() on an AbortHandle taken from the "
          "JoinHandle before it went into the timeout");
  CHECK(trace->ticks.load() == ticks_at_deadline);
  CHECK(trace->dropped.load());
}

TEST_CASE("the job runs as a task of its own on a worker thread") {
  auto trace = std::make_shared<Trace>();
  auto runtime = wb::Runtime::builder().worker_threads(2).virtual_time().build();
  auto result = runtime.block_on(spawn_with_deadline(ticking_job(trace, 1, 7), 5s));
  CHECK(result.value() == 7);
  INFO(
      "the job ran on the thread that awaited spawn_with_deadline: it was awaited in place, not "
      "spawned. Spawn it with wb::spawn so that it runs as a task of its own, and await its "
      "JoinHandle");
  CHECK(trace->thread.load() != std::this_thread::get_id());
}

TEST_CASE("an exception thrown by the job reaches the caller") {
  auto runtime = virtual_runtime();
  std::string caught;
  try {
    (void)runtime.block_on(spawn_with_deadline(failing_job(), 5s));
  } catch (std::runtime_error const& error) {  // what the job threw, rethrown by its JoinHandle
    caught = error.what();
  }
  CHECK(caught == "the job failed");
}

TEST_CASE("a job that finishes in time is not aborted") {
  auto trace = std::make_shared<Trace>();
  auto runtime = virtual_runtime();
  auto result = runtime.block_on(spawn_with_deadline(ticking_job(trace, 3, 9), 3500ms));
  CHECK(result.value() == 9);
  CHECK(trace->ticks.load() == 3);
}

TEST_CASE("spawn_with_deadline passes the oracles with its job on a real thread pool") {
  auto check = [](auto oracle) {
    auto runtime = wb::Runtime::builder().worker_threads(2).build();
    wb::Scheduler::Enter in_pool(runtime.scheduler());
    wb::TimerDriver::Enter in_timers(runtime.timer_driver());
    auto quick = std::make_shared<Trace>();
    auto in_time = oracle(spawn_with_deadline(
        [](std::shared_ptr<Trace> trace) -> wb::Task<int> {
          co_await wb::sleep(10ms);
          trace->ticks = 1;
          co_return 5;
        }(quick),
        2s));
    CHECK(in_time.value.value() == 5);
    auto slow = std::make_shared<Trace>();
    auto late = oracle(spawn_with_deadline(ticking_job(slow, 100, 1), 30ms));
    CHECK_FALSE(late.value.has_value());
  };
  check([](auto f) { return wb::oracle::parking(std::move(f)); });
  check([](auto f) { return wb::oracle::waker_swap(std::move(f)); });
  check([](auto f) { return wb::oracle::spurious(std::move(f)); });
}

TEST_CASE("random jobs give their output when they end and Elapsed at the limit") {
  // Random jobs (1 to 6 steps of 10 to 900 ms, a tick after each) against random limits on
  // virtual time, where the answer's time is exact: a job that ends before the limit gives its
  // output at the moment it ends; one that does not gives Elapsed at the limit, not before or
  // after, and ticks no more. One round in four runs on two worker threads. The seed is new each
  // run and printed with a failure.
  auto const seed = wb::testing::TestSeed::pick();
  std::mt19937_64 random(seed.value);
  auto pick = [&random](int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(random);
  };
  for (int round = 1; round <= 100; ++round) {
    std::vector<wb::Duration> steps;
    std::vector<wb::Duration> ends;  // when each tick happens
    wb::Duration total{};
    std::string shown;
    int const count = pick(1, 6);
    for (int i = 0; i < count; ++i) {
      auto const step = std::chrono::milliseconds(10 * pick(1, 90));
      steps.push_back(step);
      total += step;
      ends.push_back(total);
      shown += (shown.empty() ? "" : " + ") + wb::testing::duration_text(step);
    }
    // A limit that is no tick's moment: which side of it a tick falls is then the question.
    wb::Duration limit{};
    bool on_a_tick = true;
    while (on_a_tick) {
      limit = std::chrono::milliseconds(5 + 10 * pick(0, 400));
      on_a_tick = false;
      for (auto end : ends) on_a_tick = on_a_tick || end == limit;
    }
    int const output = pick(-999, 999);
    bool const threaded = round % 4 == 0;
    auto builder = wb::Runtime::builder();
    builder.virtual_time();
    if (threaded) builder.worker_threads(2);
    auto runtime = builder.build();
    auto trace = std::make_shared<Trace>();
    auto seen = runtime.block_on(timed_deadline(trace, steps, output, limit));

    bool const should_finish = total < limit;
    int ticks_by_limit = 0;
    for (auto end : ends) ticks_by_limit += end < limit ? 1 : 0;
    std::string const what =
        "round " + std::to_string(round) + " of 100" + (threaded ? " (two worker threads)" : "") +
        ": a job of " + shown + " (" + wb::testing::duration_text(total) +
        " in all) with a limit of " + wb::testing::duration_text(limit) +
        ": spawn_with_deadline gave " +
        (seen.in_time ? "the output " + std::to_string(seen.output) : std::string("Elapsed")) +
        " after " + wb::testing::duration_text(seen.took) + " of virtual time";
    std::string const should =
        should_finish ? "the output " + std::to_string(output) + " after " +
                            wb::testing::duration_text(total) + ", the moment the job ended"
                      : "Elapsed after " + wb::testing::duration_text(limit) + ", the limit";
    if (seen.in_time != should_finish || (should_finish && seen.output != output) ||
        seen.took != (should_finish ? total : limit)) {
      FAIL(what << "; it should give " << should
                << ".\nThe answer comes at whichever is first, the job's end or the limit. This "
                   "usually means one of: a wait in steps (sleeping a while and then looking "
                   "whether the job is done) instead of awaiting the JoinHandle under "
                   "wb::timeout, a limit rounded or measured from another moment, or a wait for "
                   "the whole limit ("
                << seed.replay("ch08") << ")");
    }
    if (!should_finish && (seen.ticks_later != seen.ticks_then || !seen.dropped_later)) {
      FAIL(what << ", and then the job ticked " << seen.ticks_later - seen.ticks_then
                << " more times in the next 10 s"
                << (seen.dropped_later ? "" : " and its future was never destroyed")
                << ". A job whose time is up is stopped: call abort() on an AbortHandle taken "
                   "before the JoinHandle went into the timeout ("
                << seed.replay("ch08") << ")");
    }
    INFO(what << ", when the job had ticked " << seen.ticks_then << " times of " << count);
    CHECK(seen.ticks_then == (should_finish ? count : ticks_by_limit));
  }
}
