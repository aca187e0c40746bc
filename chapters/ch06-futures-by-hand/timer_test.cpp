// Tests for TimerFuture under the oracle executors, plus two tests that drop a timer before it
// fires. The exercise is included with angle brackets so the build decides whose version is
// compiled (yours, or the reference solution).
#include <chrono>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <timer.hpp>
#include <utility>
#include <vector>
#include <wb/core/poll_fn.hpp>
#include <wb/oracle/oracles.hpp>
#include <wb/testing/catch.hpp>
#include <wb/testing/event_in_poll.hpp>
#include <wb/testing/wake_counter.hpp>

namespace oracle = wb::oracle;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

static_assert(wb::Future<TimerFuture>, "TimerFuture must satisfy wb::Future");

namespace {

// How long a test waits for a wake that a correct timer does send: a hang guard only, generous
// so that a busy machine (a loaded CI runner, ThreadSanitizer) gives the same answer as a quiet
// one. A timer that never wakes costs this much time before it is reported, nothing more.
constexpr auto hang_guard = 3s;

// A timer is polled once to start its thread and once more after the thread wakes it.
oracle::Options twice() {
  oracle::Options options;
  options.deadline = hang_guard;
  options.expected_polls = 2;
  options.expected_polls_because =
      "a timer is polled once to start its thread and once after the thread wakes it; it must "
      "not wake itself while it waits, and it is not Ready before its time is up";
  return options;
}

long long ms_since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// Wraps a future so that its first Pending is followed at once by a second poll. Under the
// waker-swap oracle that second poll brings a new waker while the timer is still running.
template <class F>
auto polled_again_at_once(F future) {
  return wb::poll_fn([future = std::move(future), nudged = false](wb::Context& cx) mutable {
    auto result = future.poll(cx);
    if (result.is_pending() && !std::exchange(nudged, true)) cx.waker().wake_by_ref();
    return result;
  });
}

// Keeps a timer alive until the program ends, so that its thread may sleep on past the end of
// the test: then a test need not wait for a long timer to fire, and even a timer whose thread
// wrongly reaches into the future touches live memory when it wakes. (Reachable from a static,
// so it is not reported as a leak.)
TimerFuture& keep_alive(std::unique_ptr<TimerFuture> timer) {
  static auto* const kept = new std::vector<std::unique_ptr<TimerFuture>>;
  kept->push_back(std::move(timer));
  return *kept->back();
}

// How many threads this process has now (Linux), or nothing where that cannot be read.
std::optional<int> thread_count() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("a timer finishes under the spin executor") {
  // Half a second: a timer that is Ready at its second poll, whatever the time, is Ready long
  // before that even when starting its thread is slow (a busy machine, ThreadSanitizer).
  // No poll limit: how many polls fit in half a second depends on the machine, not the timer.
  oracle::Options options;
  options.max_polls = std::numeric_limits<std::size_t>::max();
  // The timer keeps a waker of a counter of ours, so that the test can wait for its thread's
  // wake before it ends: that thread is detached, and whatever it does after setting completed
  // (ThreadSanitizer writing a report of a race, say) must belong to this test.
  auto counter = wb::testing::WakeCounter::make();
  auto const counted = counter->waker();
  TimerFuture timer(500ms);
  auto const start = Clock::now();
  oracle::spin(wb::poll_fn([&](wb::Context&) {
                 wb::Context cx(counted);
                 return timer.poll(cx);
               }),
               options);
  auto const took = ms_since(start);
  counter->wait_for(1, hang_guard);  // a correct timer has woken already or does so at once
  INFO("a 500 ms timer was Ready after "
       << took
       << " ms, before its time: return Ready only once the thread has set completed (being "
          "polled does not mean that the time is up)");
  CHECK(took >= 500);
}

TEST_CASE("a timer's poll returns at once and leaves the waiting to a thread") {
  auto counter = wb::testing::WakeCounter::make();
  auto const waker = counter->waker();
  wb::Context cx(waker);
  // A poll that sleeps takes the whole 2 s; one that starts a thread takes far less than 1 s
  // even on a machine too busy to run the thread at once.
  TimerFuture& timer = keep_alive(std::make_unique<TimerFuture>(2s));
  auto const start = Clock::now();
  bool const pending = timer.poll(cx).is_pending();
  auto const took = ms_since(start);
  INFO("the first poll of a 2 s timer took "
       << took << " ms and returned " << (pending ? "Pending" : "Ready")
       << ". poll() must never sleep or block: it starts a thread that does the waiting, and "
          "returns wb::pending at once");
  CHECK(took < 1000);
  CHECK(pending);
}

TEST_CASE("a timer is polled exactly twice: to start it and after its thread wakes it") {
  auto out = oracle::parking(TimerFuture(60ms), twice());
  CHECK(out.polls == 2);
}

TEST_CASE("a timer waits at least the time it was given") {
  auto const start = Clock::now();
  oracle::parking(TimerFuture(80ms), twice());
  auto const took = ms_since(start);
  INFO("an 80 ms timer was Ready after " << took
                                         << " ms: the thread must sleep for the whole duration "
                                            "before it sets completed");
  CHECK(took >= 80);
}

TEST_CASE("a timer starts counting at its first poll and not when it is made") {
  TimerFuture timer(50ms);
  // Far longer than the timer, so that an eager timer's thread is done by now even on a busy
  // machine.
  std::this_thread::sleep_for(400ms);
  auto options = twice();
  options.expected_polls_because =
      "futures are lazy: nothing may start before the first poll, so a 50 ms timer made 400 ms "
      "ago and polled now still has 50 ms to go. Start the thread in poll(), not in the "
      "constructor";
  oracle::parking(std::move(timer), options);
}

TEST_CASE("a timer wakes the waker of its latest poll when every poll brings a new one") {
  oracle::Options options;
  options.deadline = hang_guard;
  // 300 ms: the second poll comes at once, long before the timer can fire on any machine.
  auto out = oracle::waker_swap(polled_again_at_once(TimerFuture(300ms)), options);
  INFO(
      "the timer was polled twice at once (Pending both times), then once when its thread "
      "woke it; a timer that is Ready before its time, or wakes itself, is polled another "
      "number of times");
  CHECK(out.polls == 3);
}

TEST_CASE("a timer copes with polls nobody asked for") {
  auto const start = Clock::now();
  auto out = oracle::spurious(TimerFuture(100ms), twice());
  auto const took = ms_since(start);
  INFO("a 100 ms timer was Ready after " << took << " ms");
  CHECK(took >= 100);
  CHECK(out.spurious_polls == 1);
}

TEST_CASE("a timer can be polled from a different thread each time") {
  oracle::threaded(TimerFuture(40ms), twice());
}

TEST_CASE("a timer stays quiet after it is Ready") {
  auto out = oracle::after_ready(TimerFuture(40ms), twice());
  CHECK(out.wakes == 1);
}

TEST_CASE("a timer starts one thread however often it is polled") {
  auto const before = thread_count();
  if (!before) {
    WARN("cannot count threads on this system: test skipped");
    return;
  }
  auto counter = wb::testing::WakeCounter::make();
  auto const waker = counter->waker();
  wb::Context cx(waker);
  // Five seconds: far longer than 20 polls take, even on a busy machine. A timer that starts
  // a thread at every poll is caught after four polls, long before it could fire; one that
  // sleeps inside poll() comes back Ready, which ends the polling instead of hanging the test.
  TimerFuture& timer = keep_alive(std::make_unique<TimerFuture>(5s));
  int started = 0;
  for (int poll = 0; poll < 20 && started <= 3; ++poll) {
    if (timer.poll(cx).is_ready()) break;
    started = *thread_count() - *before;
  }
  INFO("polling one timer started " << started
                                    << " threads: start the thread only at the first poll "
                                       "(remember that you did, in started_)");
  CHECK(started <= 3);
}

TEST_CASE("a dropped timer's thread does not touch a new timer built in its place") {
  auto first_waker = wb::testing::WakeCounter::make();
  auto second_waker = wb::testing::WakeCounter::make();
  std::optional<TimerFuture> slot;

  slot.emplace(20ms);
  {
    auto const waker = first_waker->waker();
    wb::Context cx(waker);
    REQUIRE(slot->poll(cx).is_pending());
  }
  slot.reset();
  slot.emplace(100ms);  // a new timer in the very same bytes as the dropped one

  bool const first_woken = first_waker->wait_for(1, hang_guard);
  INFO(
      "the first timer was dropped while its thread slept. When the thread woke up it should "
      "still have woken the first timer's waker, but it did not: it reached the shared state "
      "through `this` (or a pointer into the future), which now belongs to another timer. Give "
      "the thread its own copy of the std::shared_ptr: [state = state_]");
  CHECK(first_woken);

  auto const waker = second_waker->waker();
  wb::Context cx(waker);
  bool const second_pending = slot->poll(cx).is_pending();
  INFO(
      "a 100 ms timer was Ready at its first poll: the thread of a dropped timer set "
      "`completed` in this one's state, because it reached the state through `this`");
  CHECK(second_pending);
  slot.reset();
  // The thread outlives its timer and still wakes (a timer that was wrongly Ready has none).
  if (second_pending) REQUIRE(second_waker->wait_for(1, hang_guard));
}

TEST_CASE("no wake-up is lost when the timer fires while it is being polled") {
  // Each round polls a 20 ms timer twice at once; at poll #2, at the moment the timer copies the
  // new waker to keep it, the test waits until the timer's thread fires (it wakes the waker of
  // poll #1, which no longer counts) or 200 ms pass. A timer that checks `completed` and stores
  // the waker under one lock makes its thread wait for that lock, so the thread wakes the new
  // waker; one that lets go of the lock in between lets the thread fire right there.
  constexpr int rounds = 4;
  for (int round = 1; round <= rounds; ++round) {
    auto record = std::make_shared<wb::testing::EventInPollRecord>();
    auto fired = [record] {
      auto const give_up = Clock::now() + 200ms;
      while (record->outdated_wakes.load() == 0 && Clock::now() < give_up) {
        std::this_thread::sleep_for(100us);
      }
    };
    oracle::Options options;
    options.deadline = 3s;  // a correct timer's wake comes at once; only a lost one waits this long
    options.max_poll_time = 5s;  // poll #2 waits for the thread on purpose
    try {
      oracle::parking(wb::testing::EventInPoll(TimerFuture(20ms), 2, fired, 400ms, record),
                      options);
    } catch (wb::ContractViolation const& violation) {
      if (record->outdated_wakes.load() == 0 || !record->pending_after_event.load()) throw;
      throw wb::ContractViolation(
          "the timer fired while its poll #2 was still running, and the wake-up was lost (round " +
          std::to_string(round) + " of " + std::to_string(rounds) +
          "): at the moment poll #2 copied its new waker, the timer's thread set completed and "
          "woke the waker of poll #1; poll #2 then stored its own waker and returned Pending, "
          "and nothing woke that one in the 3 s after. Checking completed and storing the "
          "waker must be one step under state_->mutex, with no unlock in between, so that the "
          "thread fires either before the check (poll sees completed) or after the store (the "
          "thread wakes the newest waker). This usually means one of: the waker is stored after "
          "the lock taken for the check was released, or without the lock; the thread sets "
          "completed or takes the waker without the lock.\n(" +
          violation.what() + ")");
    }
  }
}

TEST_CASE("a timer's thread wakes after setting completed and outside the lock") {
  // The re-entrant-wake oracle polls again from inside the thread's wake(), before it returns,
  // as an inline executor does: that poll must find `completed` set and the lock free.
  auto options = twice();
  options.expected_polls_because =
      "a timer is polled once to start its thread and once from inside the wake() its thread "
      "calls when the time is up";
  options.wake_poll_limit = 3s;   // only a poll that cannot finish waits this long
  options.stuck_poll_limit = 8s;  // the watchdog, after that verdict (the test limit is 10 s)
  auto out = oracle::reentrant_wake(TimerFuture(20ms), options);
  CHECK(out.wakes == 1);
}

// Last on purpose: a thread that touches its dead future is a use-after-free, which
// AddressSanitizer reports by ending the program, and the tests above have reported by then.
TEST_CASE("dropping a timer before it fires is safe because its thread owns the shared state") {
  auto counter = wb::testing::WakeCounter::make();
  auto timer = std::make_unique<TimerFuture>(30ms);
  {
    auto const waker = counter->waker();
    wb::Context cx(waker);
    REQUIRE(timer->poll(cx).is_pending());
  }
  timer.reset();  // the future is gone; its thread is still asleep
  bool const woken = counter->wait_for(1, hang_guard);
  INFO(
      "the timer was destroyed before it fired; its thread should still have woken the waker "
      "it was given, through the state it shares with the (now dead) future");
  CHECK(woken);
  CHECK(counter->wakes() == 1);
}
