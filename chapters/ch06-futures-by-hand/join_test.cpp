// Tests for Join under the oracle executors. Each child is wrapped in a Probe, which fails the
// test with a verdict the moment a finished child is polled again. The children that take time
// are ReadyAfter futures: Ready with a value once a thread has slept for a delay.
#include <chrono>
#include <join.hpp>
#include <memory>
#include <string>
#include <utility>
#include <wb/core/ready.hpp>
#include <wb/oracle/oracles.hpp>
#include <wb/oracle/probe.hpp>
#include <wb/testing/catch.hpp>
#include <wb/testing/probed.hpp>
#include <wb/testing/ready_after.hpp>
#include <wb/testing/wake_counter.hpp>

namespace oracle = wb::oracle;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using wb::testing::probed;
using wb::testing::ready_after;

static_assert(wb::Future<Join<wb::ReadyFuture<int>, wb::ReadyFuture<std::string>>>,
              "Join must satisfy wb::Future");

namespace {

using Stats = std::shared_ptr<oracle::ProbeStats>;

char const* const first_name = "the first future passed to Join";
char const* const second_name = "the second future passed to Join";

oracle::Options polls(std::size_t count, std::string because) {
  oracle::Options options;
  options.deadline = 3s;  // a hang guard, generous so a busy machine gives the same answer
  options.expected_polls = count;
  options.expected_polls_because = std::move(because);
  return options;
}

}  // namespace

TEST_CASE("join of two ready futures is Ready at the first poll with both outputs") {
  Stats a, b;
  auto out = oracle::spin(Join(probed(wb::ready(1), first_name, a),
                               probed(wb::ready(std::string("two")), second_name, b)),
                          polls(1, "both children are Ready at once"));
  CHECK(out.value.first == 1);
  CHECK(out.value.second == "two");
}

TEST_CASE("join finishes when its first child finishes before its second") {
  Stats a, b;
  auto out = oracle::parking(
      Join(probed(ready_after(1, 10ms), first_name, a),
           probed(ready_after(std::string("late"), 110ms), second_name, b)),
      polls(3,
            "polled once to start both children, once when the first is done, once when the "
            "second is"));
  CHECK(out.value.first == 1);
  CHECK(out.value.second == "late");
  // Each child was polled until it was Ready, and never after (the probes check that). How often
  // a Pending child is polled is the join's business: polling it once more in the same poll, or
  // polling only the child that woke, both keep the contract.
  CHECK(a->polls >= 2);
  CHECK(b->polls >= 2);
}

TEST_CASE("join finishes when its second child finishes before its first") {
  Stats a, b;
  auto out = oracle::parking(
      Join(probed(ready_after(std::string("late"), 110ms), first_name, a),
           probed(ready_after(2, 10ms), second_name, b)),
      polls(3,
            "polled once to start both children, once when the second is done, once when "
            "the first is"));
  CHECK(out.value.first == "late");
  CHECK(out.value.second == 2);
  CHECK(a->polls >= 2);
  CHECK(b->polls >= 2);
}

TEST_CASE("join keeps the output of a child that finished at the first poll") {
  Stats a, b;
  auto out = oracle::parking(
      Join(probed(wb::ready(7), first_name, a), probed(ready_after(8, 30ms), second_name, b)),
      polls(2, "the first child is Ready at once, the second after 30 ms"));
  CHECK(out.value.first == 7);
  CHECK(out.value.second == 8);
  CHECK(a->polls == 1);
}

TEST_CASE("join never polls a finished child again even when polled for no reason") {
  Stats a, b;
  auto out = oracle::spurious(
      Join(probed(ready_after(3, 20ms), first_name, a), probed(wb::ready(4), second_name, b)));
  CHECK(out.value.first == 3);
  CHECK(out.value.second == 4);
  CHECK(b->polls == 1);
}

TEST_CASE("join is Ready only when both children are") {
  Stats a, b;
  Join join(probed(wb::ready(5), first_name, a), probed(ready_after(6, 30ms), second_name, b));
  auto counter = wb::testing::WakeCounter::make();
  auto const waker = counter->waker();
  wb::Context cx(waker);

  bool const pending_at_first = join.poll(cx).is_pending();
  {
    INFO(
        "Join returned Ready while its second child was still Pending (it needs 30 ms). Join "
        "is Ready only when both children are: keep the first output and return wb::pending");
    REQUIRE(pending_at_first);
  }
  REQUIRE(counter->wait_for(1, 3s));
  auto result = join.poll(cx);
  REQUIRE(result.is_ready());
  auto const [first, second] = std::move(result).value();
  CHECK(first == 5);
  CHECK(second == 6);
}

TEST_CASE("join polls both children at its first poll") {
  Stats a, b;
  Join join(probed(ready_after(1, 30ms), first_name, a),
            probed(ready_after(2, 30ms), second_name, b));
  auto counter = wb::testing::WakeCounter::make();
  auto const waker = counter->waker();
  wb::Context cx(waker);

  REQUIRE(join.poll(cx).is_pending());
  {
    INFO("after the first poll of the join its second child was polled "
         << b->polls
         << " times. Join must poll every child at its first poll: a join that waits for the "
            "first child before it polls the second runs them one after the other");
    CHECK(b->polls >= 1);
  }
  REQUIRE(counter->wait_for(1, 3s));  // let the children's threads finish in the test
}

TEST_CASE("join wakes the newest waker when every poll brings a new one") {
  Stats a, b;
  auto out = oracle::waker_swap(Join(probed(ready_after(1, 10ms), first_name, a),
                                     probed(ready_after(2, 110ms), second_name, b)),
                                polls(3, "once to start, once per child that finishes"));
  CHECK(out.value.first == 1);
  CHECK(out.value.second == 2);
}

TEST_CASE("join can be polled from a different thread each time") {
  Stats a, b;
  auto out = oracle::threaded(Join(probed(ready_after(1, 10ms), first_name, a),
                                   probed(ready_after(2, 110ms), second_name, b)),
                              polls(3, "once to start, once per child that finishes"));
  CHECK(out.value.first == 1);
  CHECK(out.value.second == 2);
}

TEST_CASE("join stays quiet after it is Ready") {
  Stats a, b;
  auto out = oracle::after_ready(Join(probed(ready_after(1, 10ms), first_name, a),
                                      probed(ready_after(2, 110ms), second_name, b)),
                                 polls(3, "once to start, once per child that finishes"));
  CHECK(out.value.first == 1);
  CHECK(out.value.second == 2);
}

TEST_CASE("joining two 400 ms futures takes about 400 ms and not 800") {
  // Long enough that a busy machine cannot blur the two answers: run together the children
  // take 400 ms and some scheduling delay; one after the other they take at least 800 ms.
  Stats a, b;
  auto const start = Clock::now();
  auto out = oracle::parking(Join(probed(ready_after(1, 400ms), first_name, a),
                                  probed(ready_after(2, 400ms), second_name, b)));
  auto const took =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  CHECK(out.value.first == 1);
  CHECK(out.value.second == 2);
  INFO("joining two futures of 400 ms each took "
       << took
       << " ms. They should run at the same time: poll both children at every poll, not the "
          "second only once the first is done");
  CHECK(took >= 400);
  CHECK(took < 700);
}
