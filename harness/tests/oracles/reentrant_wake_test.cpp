// The re-entrant-wake oracle: polls again from inside wake(), and says so when a future wakes
// under its own lock or before its state is written.
#include <chrono>
#include <memory>
#include <wb/oracle/oracles.hpp>
#include <wb/testing/catch.hpp>
#include <wb/testing/specimens.hpp>

namespace oracle = wb::oracle;
using namespace std::chrono_literals;
using Catch::Matchers::ContainsSubstring;
using wb::testing::Slot;
using wb::testing::SlotReader;

namespace {

oracle::Options quick() {
  oracle::Options options;
  options.deadline = 300ms;
  return options;
}

}  // namespace

TEST_CASE("re-entrant-wake polls inside wake and finishes a future filled after Pending") {
  auto slot = std::make_shared<Slot>();
  auto out = oracle::reentrant_wake(SlotReader{slot}, quick(), [&] { slot->fill(7); });
  CHECK(out.value == 7);
  CHECK(out.polls == 2);
  CHECK(out.wakes == 1);
}

TEST_CASE("re-entrant-wake finishes a future completed by another thread") {
  auto out = oracle::reentrant_wake(wb::testing::ThreadCompleted(5, 20ms), quick());
  CHECK(out.value == 5);
  CHECK(out.polls == 2);
}

TEST_CASE("re-entrant-wake polls a self-waking future once per wake") {
  auto out = oracle::reentrant_wake(wb::testing::SelfWaking(3), quick());
  CHECK(out.value == 3);
  CHECK(out.polls == 4);
}

TEST_CASE("re-entrant-wake says when a future wakes while holding the lock poll needs") {
  auto slot = std::make_shared<Slot>();
  auto options = quick();
  options.wake_poll_limit = 200ms;
  auto const start = std::chrono::steady_clock::now();
  CHECK_THROWS_WITH(
      oracle::reentrant_wake(SlotReader{slot}, options, [&] { slot->fill_waking_under_lock(7); }),
      ContainsSubstring("your future called wake() while holding a lock that its poll needs") &&
          ContainsSubstring("poll (#2) could not finish while wake() was running") &&
          ContainsSubstring("resource_deadlock_would_occur"));
  // The verdict came instead of a hang: wake() gave up after its limit and let the lock go.
  CHECK(std::chrono::steady_clock::now() - start < 2500ms);
}

TEST_CASE("re-entrant-wake says when a future wakes before its state is written") {
  auto slot = std::make_shared<Slot>();
  CHECK_THROWS_WITH(
      oracle::reentrant_wake(SlotReader{slot}, quick(), [&] { slot->fill_waking_first(7); }),
      ContainsSubstring("the poll the executor ran from inside that wake() call (poll #2") &&
          ContainsSubstring("returned Pending") &&
          ContainsSubstring("wake() is called before the state is written"));
}

TEST_CASE("re-entrant-wake reports a future nobody wakes as a hang") {
  CHECK_THROWS_WITH(oracle::reentrant_wake(wb::testing::NeverWakes{}, quick()),
                    ContainsSubstring("re-entrant-wake oracle: your future returned Pending but "
                                      "nothing will ever wake it"));
}

TEST_CASE("re-entrant-wake checks the poll count it is given") {
  auto slot = std::make_shared<Slot>();
  auto options = quick();
  options.expected_polls = 1;
  CHECK_THROWS_WITH(oracle::reentrant_wake(SlotReader{slot}, options, [&] { slot->fill(1); }),
                    ContainsSubstring("poll count under the re-entrant-wake oracle"));
}
