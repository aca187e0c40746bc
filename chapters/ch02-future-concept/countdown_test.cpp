// Tests for CountdownFuture under every oracle executor. The exercise is included with angle
// brackets so the build decides whose version is compiled (yours, or the reference solution).
#include <countdown.hpp>

#include <wb/oracle/oracles.hpp>
#include <wb/testing/catch.hpp>

namespace oracle = wb::oracle;

static_assert(wb::Future<CountdownFuture>, "CountdownFuture must satisfy wb::Future");

namespace {
oracle::Options exactly(std::size_t polls, unsigned count) {
  oracle::Options options;
  options.deadline = std::chrono::milliseconds(300);
  options.expected_polls = polls;
  options.expected_polls_because =
      "a countdown from " + std::to_string(count) + " is Pending " + std::to_string(count) +
      " times, then Ready";
  return options;
}
}  // namespace

TEST_CASE("countdown from zero is Ready with Liftoff! at the first poll") {
  auto out = oracle::spin(CountdownFuture(0), exactly(1, 0));
  CHECK(out.value == "Liftoff!");
}

TEST_CASE("countdown from three answers Liftoff! under the spin executor") {
  auto out = oracle::spin(CountdownFuture(3), exactly(4, 3));
  CHECK(out.value == "Liftoff!");
}

TEST_CASE("countdown wakes itself so a parking executor finishes") {
  auto out = oracle::parking(CountdownFuture(3), exactly(4, 3));
  CHECK(out.value == "Liftoff!");
}

TEST_CASE("countdown wakes the newest waker when every poll brings a new one") {
  auto out = oracle::waker_swap(CountdownFuture(5), exactly(6, 5));
  CHECK(out.value == "Liftoff!");
}

TEST_CASE("countdown copes with polls nobody asked for") {
  // The oracle adds a poll of its own whenever the countdown returned Pending and its wake has
  // not come yet (a countdown that wakes from another thread meets that). Every poll counts
  // down, the added ones too: what is fixed is the total.
  oracle::Options options;
  options.deadline = std::chrono::milliseconds(300);
  auto out = oracle::spurious(CountdownFuture(3), options);
  CHECK(out.value == "Liftoff!");
  INFO("a countdown from 3 was polled " << out.polls + out.spurious_polls << " times in all ("
                                        << out.spurious_polls
                                        << " of them added by the oracle): it is Pending 3 "
                                           "times, then Ready, whoever asked for the poll");
  CHECK(out.polls + out.spurious_polls == 4);
}

TEST_CASE("countdown can be polled from a different thread each time") {
  auto out = oracle::threaded(CountdownFuture(3), exactly(4, 3));
  CHECK(out.value == "Liftoff!");
}

TEST_CASE("countdown stays quiet after it is Ready") {
  auto out = oracle::after_ready(CountdownFuture(2), exactly(3, 2));
  CHECK(out.value == "Liftoff!");
}

TEST_CASE("a long countdown is polled once per step and no more") {
  auto out = oracle::parking(CountdownFuture(1000), exactly(1001, 1000));
  CHECK(out.value == "Liftoff!");
  INFO("a countdown from 1000 wakes its waker once per Pending: 1000 times, not " << out.wakes);
  CHECK(out.wakes == 1000);
}
