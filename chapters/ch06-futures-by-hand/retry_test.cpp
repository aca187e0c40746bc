// Tests for RetryFuture under the oracle executors. The attempts come from a scripted factory
// that counts how many it made, decides which one succeeds, and wraps each in a Probe so the
// tests see whether a failed attempt was destroyed before the next one was made.
#include <chrono>
#include <memory>
#include <retry.hpp>
#include <string>
#include <utility>
#include <vector>
#include <wb/core/poll_fn.hpp>
#include <wb/oracle/oracles.hpp>
#include <wb/oracle/probe.hpp>
#include <wb/testing/catch.hpp>
#include <wb/testing/probed.hpp>
#include <wb/testing/ready_after.hpp>

namespace oracle = wb::oracle;
using namespace std::chrono_literals;
using wb::testing::probed;
using wb::testing::ready_after;

namespace {

using Stats = std::shared_ptr<oracle::ProbeStats>;

// What the factory did: every attempt it made, and whether it made one while the one before
// was still alive.
struct Log {
  std::vector<Stats> attempts;
  bool overlapped = false;
  unsigned made() const { return static_cast<unsigned>(attempts.size()); }
};

// One attempt that answers at once: Pending once (waking itself, as if a reply were already
// on its way), then Ready with the attempt's number on success or "attempt N failed".
auto quick_attempt(unsigned number, bool succeeds) {
  return wb::poll_fn([=, polled = false](wb::Context& cx) mutable -> wb::Poll<Attempt<int>> {
    if (!std::exchange(polled, true)) {
      cx.waker().wake_by_ref();
      return wb::pending;
    }
    if (succeeds) return Attempt<int>::success(static_cast<int>(number));
    return Attempt<int>::failure("attempt " + std::to_string(number) + " failed");
  });
}

// One attempt that takes 10 ms on a thread of its own, like a request over a network.
auto slow_attempt(unsigned number, bool succeeds) {
  auto result = succeeds ? Attempt<int>::success(static_cast<int>(number))
                         : Attempt<int>::failure("attempt " + std::to_string(number) + " failed");
  return ready_after(std::move(result), 10ms);
}

// ANCHOR: factory
// A factory whose attempt number `succeed_on` succeeds (0: none does). Every attempt is wrapped
// in a Probe and recorded in `log`.
template <class MakeOne>
auto factory(std::shared_ptr<Log> log, unsigned succeed_on, MakeOne make_one) {
  return [log, succeed_on, make_one] {
    if (!log->attempts.empty() && !log->attempts.back()->destroyed) log->overlapped = true;
    unsigned const number = log->made() + 1;
    Stats stats;
    auto attempt =
        probed(make_one(number, number == succeed_on), "attempt #" + std::to_string(number), stats);
    log->attempts.push_back(stats);
    return attempt;
  };
}
// ANCHOR_END: factory

auto quick_retry(std::shared_ptr<Log> log, unsigned succeed_on, unsigned max_attempts) {
  return RetryFuture(factory(std::move(log), succeed_on, quick_attempt), max_attempts);
}

auto slow_retry(std::shared_ptr<Log> log, unsigned succeed_on, unsigned max_attempts) {
  return RetryFuture(factory(std::move(log), succeed_on, slow_attempt), max_attempts);
}

// A retry of quick attempts is woken within microseconds; the deadline only guards a hang.
oracle::Options any_polls() {
  oracle::Options options;
  options.deadline = 3s;  // a hang guard, generous so a busy machine gives the same answer
  return options;
}

oracle::Options polls(std::size_t count) {
  oracle::Options options;
  options.deadline = 3s;  // a hang guard, generous so a busy machine gives the same answer
  options.expected_polls = count;
  options.expected_polls_because =
      "each attempt is Pending once; when one fails, the next is made and polled in the same "
      "poll, so the retry is polled once per attempt plus once for the last answer";
  return options;
}

}  // namespace

TEST_CASE("retry makes no attempt before its first poll") {
  auto log = std::make_shared<Log>();
  auto retry = quick_retry(log, 1, 3);
  {
    INFO("making the RetryFuture called the factory "
         << log->made() << " times. Futures are lazy: make the first attempt at the first poll");
    CHECK(log->made() == 0);
  }
  auto out = oracle::spin(std::move(retry));
  CHECK(out.value.succeeded());
}

TEST_CASE("retry returns the first success when the third of five attempts succeeds") {
  auto log = std::make_shared<Log>();
  auto out = oracle::parking(quick_retry(log, 3, 5), any_polls());
  INFO("RetryFuture returned " << (out.value.succeeded()
                                       ? "a success"
                                       : "the failure \"" + out.value.error + "\"")
                               << " after " << log->made()
                               << " attempts. When an attempt fails and attempts are left, make "
                                  "the next one: only the third of five succeeds here");
  REQUIRE(out.value.succeeded());
  CHECK(*out.value.value == 3);
  CHECK(log->made() == 3);
}

TEST_CASE("retry returns the last error after exactly max_attempts failed attempts") {
  auto log = std::make_shared<Log>();
  auto out = oracle::parking(quick_retry(log, 0, 4), any_polls());
  REQUIRE_FALSE(out.value.succeeded());
  {
    INFO("all 4 attempts failed, and the factory was called " << log->made()
                                                              << " times: it must be 4");
    CHECK(log->made() == 4);
  }
  INFO("RetryFuture returned \"" << out.value.error
                                 << "\": after the last attempt fails, return that attempt's "
                                    "error (the most recent), not an earlier one");
  CHECK(out.value.error == "attempt 4 failed");
}

TEST_CASE("retry with a single attempt returns its failure") {
  auto log = std::make_shared<Log>();
  auto out = oracle::parking(quick_retry(log, 0, 1), polls(2));
  REQUIRE_FALSE(out.value.succeeded());
  CHECK(out.value.error == "attempt 1 failed");
  INFO("max_attempts is 1 but the factory was called " << log->made() << " times");
  CHECK(log->made() == 1);
}

TEST_CASE("retry makes no more attempts after a success") {
  auto log = std::make_shared<Log>();
  auto out = oracle::parking(quick_retry(log, 1, 5), polls(2));
  REQUIRE(out.value.succeeded());
  INFO("the first attempt succeeded but the factory was called " << log->made() << " times");
  CHECK(log->made() == 1);
}

TEST_CASE("retry destroys a failed attempt before it makes the next one") {
  auto log = std::make_shared<Log>();
  auto out = oracle::parking(quick_retry(log, 3, 5), any_polls());
  REQUIRE(out.value.succeeded());
  INFO(
      "the factory was called while the failed attempt before was still alive. Destroy it "
      "first (current_.reset(), then emplace the next): an attempt may hold a connection or "
      "a lock, and a retry must not hold two at once. Note that current_.emplace(make()) calls "
      "make() before it destroys the old value");
  CHECK_FALSE(log->overlapped);
}

TEST_CASE("retry polls the next attempt in the same poll that saw the last one fail") {
  auto log = std::make_shared<Log>();
  auto out = oracle::parking(quick_retry(log, 3, 5), polls(4));
  CHECK(*out.value.value == 3);
}

TEST_CASE("retry wakes the newest waker when every poll brings a new one") {
  auto log = std::make_shared<Log>();
  auto out = oracle::waker_swap(slow_retry(log, 3, 5), polls(4));
  CHECK(*out.value.value == 3);
}

TEST_CASE("retry copes with polls nobody asked for") {
  auto log = std::make_shared<Log>();
  auto out = oracle::spurious(slow_retry(log, 2, 5), polls(3));
  CHECK(*out.value.value == 2);
  CHECK(log->made() == 2);
}

TEST_CASE("retry can be polled from a different thread each time") {
  auto log = std::make_shared<Log>();
  auto out = oracle::threaded(slow_retry(log, 0, 3), polls(4));
  CHECK(out.value.error == "attempt 3 failed");
}

TEST_CASE("retry stays quiet after it is Ready") {
  auto log = std::make_shared<Log>();
  auto out = oracle::after_ready(slow_retry(log, 2, 3), polls(3));
  CHECK(*out.value.value == 2);
}
