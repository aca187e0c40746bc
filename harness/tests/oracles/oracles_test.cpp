// Each oracle catches exactly the mistake it claims to catch, says so in words, and never
// flags a correct future.
#include "wb/oracle/oracles.hpp"

#include <set>
#include <thread>

#include "wb/core/poll_fn.hpp"
#include "wb/testing/catch.hpp"
#include "wb/testing/specimens.hpp"

using namespace std::chrono_literals;
namespace oracle = wb::oracle;
using namespace wb::testing;

namespace {

oracle::Options quick() {
  oracle::Options options;
  options.deadline = 200ms;
  return options;
}

template <class Run>
std::string verdict_of(Run run) {
  try {
    run();
  } catch (wb::ContractViolation const& e) {
    return e.what();
  }
  return "no verdict: the oracle accepted the future";
}

}  // namespace

TEST_CASE("every oracle accepts a correct self-waking future and counts its polls") {
  auto options = quick();
  options.expected_polls = 4;
  CHECK(oracle::spin(SelfWaking(3), options).value == 3);
  CHECK(oracle::parking(SelfWaking(3), options).value == 3);
  CHECK(oracle::spurious(SelfWaking(3), options).value == 3);
  CHECK(oracle::waker_swap(SelfWaking(3), options).value == 3);
  CHECK(oracle::threaded(SelfWaking(3), options).value == 3);
  CHECK(oracle::after_ready(SelfWaking(3), options).value == 3);
  auto out = oracle::parking(SelfWaking(3), options);
  CHECK(out.polls == 4);
  CHECK(out.wakes == 3);
  CHECK(out.spurious_polls == 0);
}

TEST_CASE("every waiting oracle accepts a future completed by another thread") {
  auto options = quick();
  options.expected_polls = 2;  // the first poll, and one after the single wake
  CHECK(oracle::parking(ThreadCompleted(5, 20ms), options).value == 5);
  CHECK(oracle::waker_swap(ThreadCompleted(5, 20ms), options).value == 5);
  CHECK(oracle::threaded(ThreadCompleted(5, 20ms), options).value == 5);
  CHECK(oracle::after_ready(ThreadCompleted(5, 20ms), options).value == 5);
  auto out = oracle::spurious(ThreadCompleted(5, 20ms), options);
  CHECK(out.value == 5);
  CHECK(out.spurious_polls == 1);
}

TEST_CASE("the parking oracle says a future that never wakes would hang") {
  auto verdict = verdict_of([] { oracle::parking(NeverWakes{}, quick()); });
  CHECK_THAT(verdict, Catch::Matchers::ContainsSubstring("parking oracle"));
  CHECK_THAT(verdict, Catch::Matchers::ContainsSubstring(
                          "nothing will ever wake it: it would hang forever"));
}

TEST_CASE("the spin oracle gives up on a future that stays Pending") {
  auto options = quick();
  options.max_polls = 1000;
  auto verdict = verdict_of([&] { oracle::spin(NeverWakes{}, options); });
  CHECK_THAT(verdict, Catch::Matchers::ContainsSubstring("still Pending after 1000 polls"));
}

TEST_CASE("the waker-swap oracle catches a future that keeps the first waker") {
  auto verdict = verdict_of([] { oracle::waker_swap(KeepsFirstWaker(20ms), quick()); });
  CHECK_THAT(verdict,
             Catch::Matchers::ContainsSubstring("woke an old waker (the one from poll #1"));
  CHECK_THAT(verdict, Catch::Matchers::ContainsSubstring("latest poll (#2)"));
}

TEST_CASE("keeping the first waker is harmless when the waker never changes") {
  CHECK(oracle::parking(KeepsFirstWaker(20ms), quick()).value == 7);
}

TEST_CASE("the spurious-poll oracle exposes a future that assumes a poll means ready") {
  CHECK(oracle::parking(AssumesPollMeansReady(50ms), quick()).value == 42);
  auto out = oracle::spurious(AssumesPollMeansReady(50ms), quick());
  CHECK(out.value == -1);  // the wrong answer comes out, and the chapter's test compares it
  CHECK(out.spurious_polls == 1);
}

TEST_CASE("the blocking watchdog flags a poll that sleeps") {
  auto options = quick();
  options.max_poll_time = 50ms;
  auto verdict = verdict_of([&] { oracle::parking(SleepsInPoll(120ms), options); });
  CHECK_THAT(verdict, Catch::Matchers::ContainsSubstring("blocking watchdog"));
  CHECK_THAT(verdict, Catch::Matchers::ContainsSubstring("poll #1 took"));
}

TEST_CASE("the after-ready oracle catches a wake in the poll that returns Ready") {
  CHECK(oracle::parking(WakesWhenReady{}, quick()).value == 2);
  auto verdict = verdict_of([] { oracle::after_ready(WakesWhenReady{}, quick()); });
  CHECK_THAT(verdict, Catch::Matchers::ContainsSubstring("after-ready oracle"));
  CHECK_THAT(verdict,
             Catch::Matchers::ContainsSubstring("1 time in or after the poll that returned Ready"));
}

TEST_CASE("an expected poll count catches a future that is Pending once too often") {
  auto options = quick();
  options.expected_polls = 3;
  options.expected_polls_because = "two steps, then Ready";
  auto verdict = verdict_of([&] { oracle::parking(SelfWaking(3), options); });
  CHECK_THAT(verdict, Catch::Matchers::ContainsSubstring("Ready on poll #4"));
  CHECK_THAT(verdict,
             Catch::Matchers::ContainsSubstring("poll #3 exactly (two steps, then Ready)"));
  CHECK_THAT(verdict, Catch::Matchers::ContainsSubstring("Pending at least once too often"));
}

TEST_CASE("the threaded oracle polls on threads other than the caller's") {
  std::set<std::thread::id> seen;
  auto recorder = wb::poll_fn([&, left = 3](wb::Context& cx) mutable -> wb::Poll<int> {
    seen.insert(std::this_thread::get_id());
    if (left-- == 0) return 0;
    cx.waker().wake_by_ref();
    return wb::pending;
  });
  oracle::threaded(std::move(recorder), quick());
  CHECK(seen.count(std::this_thread::get_id()) == 0);
  CHECK(!seen.empty());
}

TEST_CASE("a wake from another thread while the oracle sleeps is never lost") {
  for (int round = 0; round < 200; ++round) {
    auto options = quick();
    options.expected_polls = 2;
    REQUIRE(oracle::parking(ThreadCompleted(round, 0ms), options).value == round);
  }
}
