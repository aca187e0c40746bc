// Tests for ChunkedSum under the oracle executors: the right sum, one poll per chunk, and a
// self-wake (a yield) between chunks. The exercise is included with angle brackets so the build
// decides whose version is compiled (yours, or the reference solution).
#include <chrono>
#include <chunked_sum.hpp>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>
#include <wb/oracle/oracles.hpp>
#include <wb/testing/catch.hpp>

namespace oracle = wb::oracle;
using namespace std::chrono_literals;

static_assert(wb::Future<ex::ChunkedSum>, "ChunkedSum must satisfy wb::Future");

namespace {

/// 1, 2, 3, … n: their sum is n(n+1)/2, so a skipped or repeated item shows in the total.
std::vector<std::uint32_t> one_to(std::uint32_t n) {
  std::vector<std::uint32_t> items(n);
  std::iota(items.begin(), items.end(), 1u);
  return items;
}

std::uint64_t sum_one_to(std::uint64_t n) { return n * (n + 1) / 2; }

oracle::Options exactly(std::size_t polls, std::size_t items, std::size_t chunk) {
  oracle::Options options;
  options.deadline = 500ms;
  options.expected_polls = polls;
  options.expected_polls_because = std::to_string(items) + " items in chunks of " +
                                   std::to_string(chunk) + " make " + std::to_string(polls) +
                                   " chunk" + (polls == 1 ? "" : "s") +
                                   ", one per poll; the poll that adds the last item is Ready";
  return options;
}

}  // namespace

TEST_CASE("an empty vector sums to zero at the first poll") {
  auto out = oracle::spin(ex::ChunkedSum({}, 100), exactly(1, 0, 100));
  CHECK(out.value == 0);
}

TEST_CASE("fewer items than one chunk are summed in a single poll") {
  auto out = oracle::spin(ex::ChunkedSum(one_to(50), 100), exactly(1, 50, 100));
  CHECK(out.value == sum_one_to(50));
}

TEST_CASE("ten full chunks take exactly ten polls") {
  auto out = oracle::spin(ex::ChunkedSum(one_to(10'000), 1'000), exactly(10, 10'000, 1'000));
  CHECK(out.value == sum_one_to(10'000));
}

TEST_CASE("a partial last chunk is summed in a poll of its own") {
  auto out = oracle::spin(ex::ChunkedSum(one_to(10'001), 1'000), exactly(11, 10'001, 1'000));
  CHECK(out.value == sum_one_to(10'001));
}

TEST_CASE("chunked sum wakes itself between chunks so a parking executor finishes") {
  auto out = oracle::parking(ex::ChunkedSum(one_to(100'000), 1'000), exactly(100, 100'000, 1'000));
  CHECK(out.value == sum_one_to(100'000));
  CHECK(out.wakes == 99);
}

TEST_CASE("chunked sum wakes the newest waker when every poll brings a new one") {
  auto out = oracle::waker_swap(ex::ChunkedSum(one_to(5'000), 1'000), exactly(5, 5'000, 1'000));
  CHECK(out.value == sum_one_to(5'000));
}

TEST_CASE("chunked sum can be polled from a different thread each time") {
  auto out = oracle::threaded(ex::ChunkedSum(one_to(5'000), 1'000), exactly(5, 5'000, 1'000));
  CHECK(out.value == sum_one_to(5'000));
}

TEST_CASE("chunked sum stays quiet after it is Ready") {
  auto out = oracle::after_ready(ex::ChunkedSum(one_to(3'000), 1'000), exactly(3, 3'000, 1'000));
  CHECK(out.value == sum_one_to(3'000));
}

TEST_CASE("a sum too big for 32 bits is exact") {
  std::vector<std::uint32_t> items(3'000, 4'000'000'000u);
  auto out = oracle::spin(ex::ChunkedSum(items, 1'000), exactly(3, 3'000, 1'000));
  CHECK(out.value == 12'000'000'000'000u);
}
