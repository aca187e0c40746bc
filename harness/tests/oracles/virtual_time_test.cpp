// The virtual-time oracle: instant and deterministic timers, the virtual time a future took,
// wakes from other threads still honoured, and a future that would hang still caught.
#include "wb/oracle/virtual_time.hpp"

#include <chrono>
#include <string>
#include <vector>

#include "wb/combinator/futures_unordered.hpp"
#include "wb/combinator/join.hpp"
#include "wb/combinator/select.hpp"
#include "wb/task/task.hpp"
#include "wb/testing/catch.hpp"
#include "wb/testing/specimens.hpp"
#include "wb/time/sleep.hpp"
#include "wb/time/timeout.hpp"

using namespace std::chrono_literals;
namespace oracle = wb::oracle;

namespace {

wb::Task<int> nap_then(wb::Duration nap, int value) {
  co_await wb::sleep(nap);
  co_return value;
}

}  // namespace

TEST_CASE("the virtual-time oracle runs an hour of sleeping at once and reports the hour") {
  auto wall_start = std::chrono::steady_clock::now();
  auto out = oracle::virtual_time(nap_then(1h, 7));
  CHECK(out.value == 7);
  CHECK(out.elapsed == 1h);
  CHECK(out.polls == 2);
  CHECK(std::chrono::steady_clock::now() - wall_start < 1s);
}

TEST_CASE("the virtual-time oracle shows concurrency: joined sleeps take the longest one's time") {
  auto joined = oracle::virtual_time(wb::join(nap_then(1s, 1), nap_then(3s, 3), nap_then(2s, 2)));
  CHECK(joined.value == std::tuple<int, int, int>{1, 3, 2});
  CHECK(joined.elapsed == 3s);
  auto sequential = oracle::virtual_time([]() -> wb::Task<int> {
    int a = co_await nap_then(1s, 1);
    int b = co_await nap_then(3s, 3);
    co_return a + b;
  }());
  CHECK(sequential.elapsed == 4s);
}

TEST_CASE("the virtual-time oracle gives the same order of timers on every run") {
  auto run = [] {
    return oracle::virtual_time([]() -> wb::Task<std::vector<int>> {
             wb::FuturesUnordered<wb::Task<int>> set;
             for (int i = 0; i < 50; ++i)
               set.push(nap_then(std::chrono::milliseconds(i * 7 % 13), i));
             std::vector<int> order;
             while (auto value = co_await set.next()) order.push_back(*value);
             co_return order;
           }())
        .value;
  };
  auto first = run();
  CHECK(first.size() == 50);
  for (int i = 0; i < 3; ++i) CHECK(run() == first);
}

TEST_CASE("the virtual-time oracle runs timeouts without waiting for them") {
  auto out = oracle::virtual_time(wb::timeout(30s, nap_then(1h, 0)));
  CHECK_FALSE(out.value.has_value());
  CHECK(out.elapsed == 30s);
}

TEST_CASE("the virtual-time oracle still honours wakes from other threads") {
  auto out = oracle::virtual_time(wb::testing::ThreadCompleted(4, 10ms));
  CHECK(out.value == 4);
  CHECK(out.elapsed == 0s);  // real waiting is not virtual time
}

TEST_CASE("the virtual-time oracle catches a future that is never woken") {
  oracle::Options options;
  options.deadline = 100ms;
  try {
    oracle::virtual_time(wb::testing::NeverWakes{}, options);
    FAIL("the oracle accepted a future that never wakes");
  } catch (wb::ContractViolation const& e) {
    std::string verdict = e.what();
    CHECK(verdict.find("virtual-time oracle") != std::string::npos);
    CHECK(verdict.find("hang") != std::string::npos);
  }
}

TEST_CASE("the virtual-time oracle checks the number of polls when asked") {
  oracle::Options options;
  options.expected_polls = 2;
  CHECK(oracle::virtual_time(nap_then(5s, 1), options).polls == 2);
  options.expected_polls = 1;
  CHECK_THROWS_AS(oracle::virtual_time(nap_then(5s, 1), options), wb::ContractViolation);
}
