// Tests for select_timeout. The rules about time run on a paused virtual clock — under the
// virtual-time oracle, or with a timer driver the test moves by hand — so "at 100 ms" is exact
// and the same on every machine. The oracle tests run on real time with a deadline far from
// the future's own time, so their answer does not depend on the machine's speed either.
#include <chrono>
#include <either.hpp>
#include <memory>
#include <optional>
#include <select_timeout.hpp>
#include <string>
#include <utility>
#include <wb/core/contract.hpp>
#include <wb/core/future.hpp>
#include <wb/core/poll_fn.hpp>
#include <wb/core/yield_now.hpp>
#include <wb/oracle/oracles.hpp>
#include <wb/oracle/probe.hpp>
#include <wb/oracle/virtual_time.hpp>
#include <wb/task/task.hpp>
#include <wb/testing/catch.hpp>
#include <wb/testing/probed.hpp>
#include <wb/testing/ready_after.hpp>
#include <wb/testing/wake_counter.hpp>
#include <wb/time/sleep.hpp>
#include <wb/time/timer_driver.hpp>

namespace oracle = wb::oracle;
using namespace std::chrono_literals;
using wb::testing::probed;
using wb::testing::ready_after;

static_assert(wb::Future<Timeout<wb::testing::ReadyAfter<int>>>, "Timeout must be a wb::Future");

namespace {

using Stats = std::shared_ptr<oracle::ProbeStats>;
using Answer = Either<int, wb::Duration>;

char const* const future_name = "the future passed to select_timeout";

/// A future that never finishes, like a read from a peer that never sends anything.
auto never() {
  return wb::poll_fn([](wb::Context&) -> wb::Poll<int> { return wb::pending; });
}

/// `value` at the second poll: Pending once (waking itself), so the Timeout has made its timer
/// before the future wins — on any clock, however loaded the machine.
wb::Task<int> value_at_second_poll(int value) {
  co_await wb::yield_now();
  co_return value;
}

/// `value` after `delay` of the runtime's clock (virtual in these tests).
wb::Task<int> value_after(int value, wb::Duration delay) {
  co_await wb::sleep(delay);
  co_return value;
}

wb::Instant now() { return wb::TimerDriver::current().now(); }

long long ms(wb::Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

// ANCHOR: describe
/// "Left(7)" or "Right(100 ms)": what the Timeout answered, as a learner reads it.
std::string describe(Answer const& answer) {
  if (is_left(answer)) return "Left(" + std::to_string(std::get<0>(answer)) + ")";
  return "Right(" + std::to_string(ms(std::get<1>(answer))) + " ms)";
}
// ANCHOR_END: describe

/// Runs on virtual time; says what was answered and when, for the messages.
struct Run {
  Answer answer;
  wb::Duration at{};
  std::size_t polls = 0;
};

template <wb::Future F>
Run on_virtual_time(F future) {
  oracle::Options options;
  options.deadline = 3s;  // a hang guard: on virtual time nothing needs to wait for real
  auto out = oracle::virtual_time(std::move(future), options);
  return Run{std::move(out.value), out.elapsed, out.polls};
}

}  // namespace

// --- the race, on virtual time ---

TEST_CASE("a future that finishes before the deadline answers Left with its value at its time") {
  Stats stats;
  auto run =
      on_virtual_time(select_timeout(probed(value_after(7, 20ms), future_name, stats), 100ms));
  {
    INFO("the future gives 7 after 20 ms and the timeout is 100 ms; the Timeout answered "
         << describe(run.answer) << " at " << ms(run.at) << " ms of virtual time");
    REQUIRE(is_left(run.answer));
    CHECK(std::get<0>(run.answer) == 7);
  }
  INFO("the Timeout answered Left(7) at "
       << ms(run.at)
       << " ms of virtual time, but its future was done at 20 ms: nothing woke the Timeout "
          "when its future was ready, only the timer did, at the deadline. Poll the future with "
          "the Timeout's own Context (cx), so that the future's waker wakes the Timeout's task "
          "when the future can make progress; the timer is only the other way to be woken");
  CHECK(run.at == 20ms);
}

TEST_CASE("a future that never finishes is answered Right exactly at the deadline") {
  auto run = on_virtual_time(select_timeout(never(), 100ms));
  INFO("the future never finishes and the timeout is 100 ms; the Timeout answered "
       << describe(run.answer) << " at " << ms(run.at)
       << " ms of virtual time. Right carries the time waited since the first poll");
  REQUIRE(is_right(run.answer));
  CHECK(run.at == 100ms);
  CHECK(std::get<1>(run.answer) == 100ms);
}

TEST_CASE("a future ready exactly at the deadline wins because it is polled first") {
  auto run = on_virtual_time(select_timeout(value_after(7, 100ms), 100ms));
  INFO("the future gives 7 at 100 ms, and the timer fires at 100 ms too; the Timeout answered "
       << describe(run.answer)
       << ". On a tie the future must win: poll the future first and the timer only when the "
          "future is Pending. Work that is done should not be thrown away because the deadline "
          "came in the same instant");
  REQUIRE(is_left(run.answer));
  CHECK(std::get<0>(run.answer) == 7);
}

namespace {

struct MadeEarly {
  Answer answer;
  wb::Duration first_polled_at{};
  wb::Duration answered_at{};
};

// ANCHOR: made_early
wb::Task<MadeEarly> make_now_poll_later() {
  auto const made = now();
  auto timeout = select_timeout(never(), 100ms);  // made at 0 ms...
  co_await wb::sleep(30ms);
  MadeEarly run{Answer(Left, 0), now() - made, {}};
  run.answer = co_await timeout;  // ...first polled at 30 ms
  run.answered_at = now() - made;
  co_return run;
}
// ANCHOR_END: made_early

}  // namespace

TEST_CASE("the deadline counts from the first poll and not from when the Timeout was made") {
  auto out = oracle::virtual_time(make_now_poll_later());
  auto const& seen = out.value;
  INFO("a Timeout of 100 ms was made at 0 ms of virtual time and first polled at "
       << ms(seen.first_polled_at) << " ms; it answered " << describe(seen.answer) << " at "
       << ms(seen.answered_at)
       << " ms, and 130 ms (Right(100 ms)) was expected. Futures are lazy: nothing starts until "
          "the first poll, the timer included. A deadline fixed in the constructor makes a "
          "Timeout that is created now and awaited later time out early; note the start time "
          "and make the timer at the first poll");
  REQUIRE(is_right(seen.answer));
  CHECK(seen.answered_at == 130ms);
  CHECK(std::get<1>(seen.answer) == 100ms);
}

// --- polled late, by hand on a paused clock ---

namespace {

/// A future the test opens by hand: Pending until open(), then Ready with its value.
struct Gate {
  bool is_open = false;
  int polls = 0;  // every poll, also one after Ready
  std::optional<wb::Waker> waker;
  void open() {
    is_open = true;
    if (waker) std::exchange(waker, std::nullopt)->wake();
  }
};

auto gated(std::shared_ptr<Gate> gate, int value) {
  return wb::poll_fn([gate, value](wb::Context& cx) -> wb::Poll<int> {
    ++gate->polls;
    if (gate->is_open) return value;
    gate->waker = cx.waker();
    return wb::pending;
  });
}

/// A paused clock that the test moves itself, entered for the test's scope.
struct HandClock {
  std::shared_ptr<wb::TimerDriver> timers =
      std::make_shared<wb::TimerDriver>(wb::Clock::Kind::paused);
  wb::TimerDriver::Enter enter{*timers};
  std::shared_ptr<wb::testing::WakeCounter> wakes = wb::testing::WakeCounter::make();
  wb::Waker waker = wakes->waker();

  /// Moves the clock on and fires the timers that are due: the executor comes back late.
  void pass(wb::Duration d) {
    timers->clock().advance(d);
    timers->fire_due();
  }
};

}  // namespace

TEST_CASE("a Timeout polled late answers Right with the time that really passed") {
  HandClock clock;
  wb::Context cx(clock.waker);
  auto timeout = select_timeout(never(), 100ms);
  REQUIRE(timeout.poll(cx).is_pending());
  clock.pass(250ms);  // a busy executor polls it again only at 250 ms
  auto result = timeout.poll(cx);
  {
    INFO(
        "a Timeout of 100 ms around a future that never finishes was first polled at 0 ms of "
        "virtual time and polled again at 250 ms; it was still Pending then, 150 ms after its "
        "deadline. The deadline is fixed at the first poll (start + 100 ms) and does not move "
        "when the Timeout is polled again. This usually means one of: a new timer of the full "
        "duration made at every poll (wb::sleep(duration) instead of wb::sleep_until(start + "
        "duration)), so the deadline moves on each time; the start time taken again at every "
        "poll; the timer not polled when the future is Pending");
    REQUIRE(result.is_ready());
  }
  auto answer = std::move(result).value();
  INFO(
      "a Timeout of 100 ms was first polled at 0 ms of virtual time and polled again only at "
      "250 ms (its executor was busy); it answered "
      << describe(answer)
      << ". Right carries the time that actually passed since the first poll, here 250 ms: "
         "this usually means the answer reports the duration it was given instead of now "
         "minus the start");
  REQUIRE(is_right(answer));
  CHECK(std::get<1>(answer) == 250ms);
}

TEST_CASE("a future that becomes ready in the same poll as the timer fires answers Left") {
  HandClock clock;
  wb::Context cx(clock.waker);
  auto gate = std::make_shared<Gate>();
  auto timeout = select_timeout(gated(gate, 7), 100ms);
  REQUIRE(timeout.poll(cx).is_pending());
  gate->open();       // the future can finish...
  clock.pass(250ms);  // ...and the deadline has passed too, before the next poll
  auto result = timeout.poll(cx);
  REQUIRE(result.is_ready());
  auto answer = std::move(result).value();
  INFO(
      "at the second poll (250 ms of virtual time) both the future (with 7) and the timer were "
      "ready; the Timeout answered "
      << describe(answer) << ". The future is polled first, so it wins: Left(7)");
  REQUIRE(is_left(answer));
  CHECK(std::get<0>(answer) == 7);
}

TEST_CASE("a Timeout polled again after it answered refuses and does not poll its future") {
  HandClock clock;
  wb::Context cx(clock.waker);
  auto gate = std::make_shared<Gate>();
  gate->is_open = true;  // Ready at its first poll
  auto timeout = select_timeout(gated(gate, 7), 100ms);
  auto first = timeout.poll(cx);
  REQUIRE(first.is_ready());
  bool refused = false;
  std::string said;
  try {
    (void)timeout.poll(cx);  // the caller's mistake: the Timeout must say so
  } catch (wb::ContractViolation const& error) {
    refused = true;
    said = error.what();
  }
  {
    INFO(
        "after the Timeout answered, the test polled it once more (a caller's mistake), and the "
        "Timeout polled its future again: the future was polled "
        << gate->polls
        << " times in all, the second time after it had returned Ready. A finished future is "
           "never polled again: destroy it when it is Ready (reset its std::optional), and "
           "when a poll finds none left, throw wb::ContractViolation");
    CHECK(gate->polls == 1);
  }
  INFO(
      "a Timeout polled again after it answered must throw wb::ContractViolation, as "
      "wb::timeout does; it "
      << (refused ? "threw: " + said : std::string("returned normally")));
  CHECK(refused);
}

// --- the oracles, on real time ---

TEST_CASE("select_timeout passes the oracles when its future wins") {
  oracle::Options options;
  options.deadline = 3s;
  Stats stats;
  auto parked = oracle::parking(
      select_timeout(probed(ready_after(1, 20ms), future_name, stats), 10s), options);
  CHECK(is_left(parked.value));
  auto spurious = oracle::spurious(select_timeout(ready_after(2, 20ms), 10s), options);
  CHECK(is_left(spurious.value));
  auto swapped = oracle::waker_swap(select_timeout(ready_after(3, 20ms), 10s), options);
  CHECK(is_left(swapped.value));
  // The timer (30 ms) is made at the first poll and the future wins at the second: a Timeout
  // that left its timer alive would wake after it answered, within the oracle's grace. Even if
  // the second poll comes after 30 ms, the future is polled first and wins.
  auto quiet = oracle::after_ready(select_timeout(value_at_second_poll(4), 30ms), options);
  CHECK(is_left(quiet.value));
}

TEST_CASE("select_timeout passes the oracles when its timer wins") {
  oracle::Options options;
  options.deadline = 3s;
  auto parked = oracle::parking(select_timeout(never(), 20ms), options);
  REQUIRE(is_right(parked.value));
  CHECK(std::get<1>(parked.value) >= 20ms);
  auto spurious = oracle::spurious(select_timeout(never(), 20ms), options);
  CHECK(is_right(spurious.value));
  auto swapped = oracle::waker_swap(select_timeout(never(), 20ms), options);
  CHECK(is_right(swapped.value));
  auto quiet = oracle::after_ready(select_timeout(never(), 20ms), options);
  CHECK(is_right(quiet.value));
}
