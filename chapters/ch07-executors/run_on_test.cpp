// Tests for run_on: each kind of executor is recognised by what only it does — the spin
// executor's waker that does nothing, the parking executor's two polls of a future woken once,
// the thread a runtime's spawned task runs on, and a clock that is virtual or real.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <run_on.hpp>
#include <string>
#include <thread>
#include <wb/combinator/join.hpp>
#include <wb/core/poll_fn.hpp>
#include <wb/core/yield_now.hpp>
#include <wb/task/scheduler.hpp>
#include <wb/task/spawn.hpp>
#include <wb/task/task.hpp>
#include <wb/testing/catch.hpp>
#include <wb/testing/delayed_wake.hpp>
#include <wb/time/sleep.hpp>
#include <wb/time/timer_driver.hpp>

using namespace std::chrono_literals;
using std::chrono::duration_cast;
using std::chrono::milliseconds;
using WallClock = std::chrono::steady_clock;

namespace {

long long in_ms(wb::Duration duration) { return duration_cast<milliseconds>(duration).count(); }

// Ready at the first poll with whether the executor's waker is the one that does nothing.
auto waker_is_noop() {
  return wb::poll_fn(
      [](wb::Context& cx) -> wb::Poll<bool> { return cx.waker().will_wake(wb::Waker::noop()); });
}

wb::Task<std::thread::id> this_thread_id() { co_return std::this_thread::get_id(); }

// The thread a task spawned on the executor runs on.
wb::Task<std::thread::id> thread_of_a_spawned_task() {
  co_return co_await wb::spawn(this_thread_id());
}

// Two tasks that each wait, without returning, until both are being polled at the same moment:
// on two worker threads they meet at once; on one thread the first gives up after `patience`
// (only a runtime with fewer threads ever waits that long). Ready with how many of them met.
struct Meeting {
  std::atomic<int> arrived{0};
};

wb::Task<bool> meet(std::shared_ptr<Meeting> meeting, int expected) {
  ++meeting->arrived;
  auto const patience = WallClock::now() + 1s;
  while (meeting->arrived.load() < expected && WallClock::now() < patience) {
    std::this_thread::yield();
  }
  co_return meeting->arrived.load() >= expected;
}

wb::Task<int> two_tasks_meet() {
  auto meeting = std::make_shared<Meeting>();
  auto first = wb::spawn(meet(meeting, 2));
  auto second = wb::spawn(meet(meeting, 2));
  bool const first_met = co_await first;
  bool const second_met = co_await second;
  co_return (first_met ? 1 : 0) + (second_met ? 1 : 0);
}

// How many worker threads the executor that polls a spawned task has (0: it polls every task on
// the thread that runs it).
wb::Task<std::size_t> worker_threads_here() {
  co_return wb::Scheduler::current()->worker_threads();
}

wb::Task<std::size_t> worker_threads_of_the_runtime() {
  co_return co_await wb::spawn(worker_threads_here());
}

wb::Task<int> sleep_then(int value, wb::Duration duration) {
  co_await wb::sleep(duration);
  co_return value;
}

wb::Task<std::string> a_little_of_everything() {
  auto [a, b] = co_await wb::join(sleep_then(1, 20ms), sleep_then(2, 10ms));
  co_await wb::yield_now();
  co_return std::to_string(a) + "+" + std::to_string(b);
}

// Whether the clock of the runtime that polls it is virtual (Ready at the first poll).
wb::Task<bool> clock_is_virtual() { co_return wb::TimerDriver::current().clock().is_virtual(); }

// Checks that `executor` keeps paused virtual time: a sleep passes in no real time at all. The
// clock is asked first (no wall-clock measurement, so a loaded machine cannot change the
// answer), and only a virtual one is then asked to sleep an hour.
void check_virtual_time(Executor executor) {
  auto kind = run_on(executor, clock_is_virtual());
  {
    INFO(
        "the runtime that ran the future keeps real time, where an hour of sleep takes an hour. "
        "Build its runtime with .virtual_time(): paused virtual time jumps straight to the next "
        "timer");
    REQUIRE(kind.output);
  }
  auto run = run_on(executor, sleep_then(7, 600ms));
  CHECK(run.output == 7);
  auto hour = run_on(executor, sleep_then(8, std::chrono::hours(1)));
  CHECK(hour.output == 8);
  CHECK(hour.elapsed == std::chrono::hours(1));
}

// Checks that `executor` runs on real time: a sleep takes its time on the wall clock.
void check_real_time(Executor executor) {
  auto const started = WallClock::now();
  auto run = run_on(executor, sleep_then(3, 30ms));
  auto const real = in_ms(WallClock::now() - started);
  CHECK(run.output == 3);
  INFO("30 ms of sleep took " << real
                              << " ms of real time on an executor that should run on real time: "
                                 "build its runtime without .virtual_time()");
  CHECK(real >= 30);
  CHECK(run.elapsed >= 30ms);
}

}  // namespace

TEST_CASE("spin polls with a waker that does nothing") {
  auto run = run_on(Executor::spin, waker_is_noop());
  INFO(
      "the spin executor polls in a loop with wb::Waker::noop(), and this future saw another "
      "waker: run Executor::spin with wb::block_on_spin");
  CHECK(run.output);
}

TEST_CASE("parking sleeps until the waker fires instead of polling again") {
  auto run = run_on(Executor::parking, wb::testing::DelayedWake(30ms));
  INFO("a future woken once, 30 ms after its first poll, was polled "
       << run.output
       << " times. A parking executor polls it twice: once to start, once when woken. Run "
          "Executor::parking with wb::block_on, which sleeps instead of polling again");
  CHECK(run.output == 2);
  CHECK(!run_on(Executor::parking, waker_is_noop()).output);
}

TEST_CASE("a single-threaded runtime runs spawned tasks on the calling thread") {
  for (Executor executor : {Executor::single_threaded, Executor::single_threaded_virtual}) {
    auto run = run_on(executor, thread_of_a_spawned_task());
    INFO(
        "a task spawned on a single-threaded runtime ran on another thread than the one in "
        "block_on: build it without worker threads (Runtime::builder().single_threaded())");
    CHECK(run.output == std::this_thread::get_id());
  }
}

TEST_CASE("a multi-threaded runtime runs spawned tasks on its worker threads") {
  for (Executor executor : {Executor::multi_threaded, Executor::multi_threaded_virtual}) {
    auto run = run_on(executor, thread_of_a_spawned_task());
    INFO(
        "a task spawned on a multi-threaded runtime ran on the thread that called block_on: "
        "a multi-threaded runtime has worker threads (Runtime::builder().worker_threads(n))");
    CHECK(run.output != std::this_thread::get_id());
  }
}

TEST_CASE("a multi-threaded runtime polls two tasks at once on its two worker threads") {
  for (Executor executor : {Executor::multi_threaded, Executor::multi_threaded_virtual}) {
    auto run = run_on(executor, two_tasks_meet());
    INFO("two spawned tasks that wait for each other inside a poll: "
         << run.output
         << " of 2 saw the other one being polled at the same time (the first gave up after 1 s "
            "of waiting). A multi-threaded runtime here has pool_workers (2) worker threads: "
            "build it with builder.worker_threads(pool_workers), for the real-time kind and the "
            "virtual one");
    CHECK(run.output == 2);
  }
}

TEST_CASE("a multi-threaded runtime has pool_workers worker threads and no more") {
  for (Executor executor : {Executor::multi_threaded, Executor::multi_threaded_virtual}) {
    auto run = run_on(executor, worker_threads_of_the_runtime());
    INFO("a spawned task asked its executor: " << run.output
                                               << " worker threads. A multi-threaded runtime here "
                                                  "has pool_workers (2): build it with "
                                                  "builder.worker_threads(pool_workers), not a "
                                                  "number of your own (nor "
                                                  "std::thread::hardware_concurrency())");
    CHECK(run.output == pool_workers);
  }
}

TEST_CASE("the real-time executors wait in real time") {
  check_real_time(Executor::spin);
  check_real_time(Executor::parking);
  check_real_time(Executor::single_threaded);
  check_real_time(Executor::multi_threaded);
}

TEST_CASE("a virtual-time runtime sleeps an hour in an instant") {
  check_virtual_time(Executor::single_threaded_virtual);
  check_virtual_time(Executor::multi_threaded_virtual);
}

TEST_CASE("elapsed is measured on the clock of the executor that ran the future") {
  for (Executor executor : {Executor::single_threaded_virtual, Executor::multi_threaded_virtual}) {
    auto run = run_on(executor, sleep_then(1, 250ms));
    INFO("a future that slept 250 ms of virtual time was measured at "
         << in_ms(run.elapsed)
         << " ms. Read the time on the runtime's own clock, runtime.now(), before and after "
            "block_on: the wall clock does not see virtual time pass");
    CHECK(run.elapsed == 250ms);
  }
}

TEST_CASE("every executor gives the same output") {
  for (Executor executor :
       {Executor::spin, Executor::parking, Executor::single_threaded, Executor::multi_threaded,
        Executor::single_threaded_virtual, Executor::multi_threaded_virtual}) {
    INFO("executor #" << static_cast<int>(executor));
    auto run = run_on(executor, a_little_of_everything());
    CHECK(run.output == "1+2");
    CHECK(run.elapsed >= 20ms);
  }
}
