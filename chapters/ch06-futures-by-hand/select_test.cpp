// Tests for Select under the oracle executors. Children are wrapped in Probes, so a test sees
// how often each was polled and whether it is still alive when Select is Ready.
#include <chrono>
#include <memory>
#include <select.hpp>
#include <string>
#include <utility>
#include <wb/core/poll_fn.hpp>
#include <wb/core/ready.hpp>
#include <wb/oracle/oracles.hpp>
#include <wb/oracle/probe.hpp>
#include <wb/testing/catch.hpp>
#include <wb/testing/probed.hpp>
#include <wb/testing/ready_after.hpp>
#include <wb/testing/wake_counter.hpp>

namespace oracle = wb::oracle;
using namespace std::chrono_literals;
using wb::testing::probed;
using wb::testing::ready_after;

static_assert(wb::Future<Select<wb::ReadyFuture<int>, wb::ReadyFuture<std::string>>>,
              "Select must satisfy wb::Future");

namespace {

using Stats = std::shared_ptr<oracle::ProbeStats>;

char const* const first_name = "the first future passed to Select";
char const* const second_name = "the second future passed to Select";

// A future that never finishes, like a read from a peer that never sends anything.
template <class T>
auto never() {
  return wb::poll_fn([](wb::Context&) -> wb::Poll<T> { return wb::pending; });
}

oracle::Options polls(std::size_t count, std::string because) {
  oracle::Options options;
  options.deadline = 3s;  // a hang guard, generous so a busy machine gives the same answer
  options.expected_polls = count;
  options.expected_polls_because = std::move(because);
  return options;
}

}  // namespace

TEST_CASE("select returns the output of the first future when it finishes first") {
  Stats a, b;
  auto out = oracle::parking(Select(probed(ready_after(1, 20ms), first_name, a),
                                    probed(never<std::string>(), second_name, b)),
                             polls(2, "once to start both, once when the first is done"));
  REQUIRE(out.value.index() == 0);
  CHECK(std::get<0>(out.value) == 1);
}

TEST_CASE("select returns the output of the second future when it finishes first") {
  Stats a, b;
  auto out =
      oracle::parking(Select(probed(never<int>(), first_name, a),
                             probed(ready_after(std::string("second"), 20ms), second_name, b)),
                      polls(2, "once to start both, once when the second is done"));
  INFO(
      "the second future won, so the output must hold its value at index 1: build it with "
      "std::in_place_index<1>");
  REQUIRE(out.value.index() == 1);
  CHECK(std::get<1>(out.value) == "second");
}

TEST_CASE("select polls its second future when the first is Pending") {
  Stats a, b;
  Select select(probed(never<int>(), first_name, a), probed(ready_after(2, 20ms), second_name, b));
  auto counter = wb::testing::WakeCounter::make();
  auto const waker = counter->waker();
  wb::Context cx(waker);

  REQUIRE(select.poll(cx).is_pending());
  {
    INFO("after one poll of the select its first future was polled "
         << a->polls << " times and its second " << b->polls
         << " times. When the first future is Pending, Select must poll the second one too: a "
            "select that never polls its second future can only ever be won by the first");
    CHECK(a->polls >= 1);
    CHECK(b->polls >= 1);
  }
  REQUIRE(counter->wait_for(1, 3s));
  auto result = select.poll(cx);
  REQUIRE(result.is_ready());
  CHECK(std::move(result).value().index() == 1);
}

TEST_CASE("the loser is destroyed as soon as the winner is Ready") {
  Stats a, b;
  Select select(probed(ready_after(1, 20ms), first_name, a), probed(never<int>(), second_name, b));
  bool loser_alive_at_ready = false;
  // The select stays here, in the test, so that it is still alive when it is Ready: only the
  // select itself can have destroyed the loser by then.
  auto out = oracle::parking(wb::poll_fn([&](wb::Context& cx) {
    auto result = select.poll(cx);
    if (result.is_ready()) loser_alive_at_ready = !b->destroyed;
    return result;
  }));
  REQUIRE(out.value.index() == 0);
  INFO(
      "Select returned Ready while the losing future was still alive. Destroy the loser (reset "
      "its optional) before returning the winner's output: destroying a future is how it is "
      "cancelled, and a loser kept alive holds on to its resources (a socket, a timer, a "
      "thread's wake-up) for as long as the Select lives");
  CHECK_FALSE(loser_alive_at_ready);
}

TEST_CASE("when both are Ready at once the first wins and the second is not polled") {
  Stats a, b;
  auto out = oracle::spin(Select(probed(wb::ready(1), first_name, a),
                                 probed(wb::ready(std::string("lost")), second_name, b)),
                          polls(1, "the first future is Ready at once"));
  REQUIRE(out.value.index() == 0);
  CHECK(std::get<0>(out.value) == 1);
  INFO(
      "Select polled its second future although the first was already Ready. Stop at the "
      "first Ready: had the second finished too, its output (a message read, a job done) would "
      "be thrown away with nobody to see it");
  CHECK(b->polls == 0);
}

TEST_CASE("select says which future won even when both have the same output type") {
  Stats a, b;
  auto out = oracle::parking(Select(probed(ready_after(1, 200ms), first_name, a),
                                    probed(ready_after(2, 20ms), second_name, b)));
  INFO("the second future (value 2, after 20 ms) beat the first (value 1, after 200 ms)");
  REQUIRE(out.value.index() == 1);
  CHECK(std::get<1>(out.value) == 2);
}

TEST_CASE("select wakes the newest waker when every poll brings a new one") {
  Stats a, b;
  auto out = oracle::waker_swap(
      Select(probed(never<int>(), first_name, a), probed(ready_after(2.5, 30ms), second_name, b)),
      polls(2, "once to start both, once when the second is done"));
  REQUIRE(out.value.index() == 1);
}

TEST_CASE("select copes with polls nobody asked for") {
  Stats a, b;
  auto out = oracle::spurious(
      Select(probed(ready_after(1, 30ms), first_name, a), probed(never<int>(), second_name, b)),
      polls(2, "once to start both, once when the first is done"));
  REQUIRE(out.value.index() == 0);
}

TEST_CASE("select can be polled from a different thread each time") {
  Stats a, b;
  auto out = oracle::threaded(
      Select(probed(never<int>(), first_name, a), probed(ready_after(2, 30ms), second_name, b)),
      polls(2, "once to start both, once when the second is done"));
  REQUIRE(out.value.index() == 1);
}

TEST_CASE("select stays quiet after it is Ready") {
  Stats a, b;
  auto out = oracle::after_ready(
      Select(probed(ready_after(1, 20ms), first_name, a), probed(never<int>(), second_name, b)),
      polls(2, "once to start both, once when the first is done"));
  REQUIRE(out.value.index() == 0);
}
