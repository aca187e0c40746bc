// A Probe around a child future catches a parent that polls it after Ready or moves it.
#include "wb/oracle/probe.hpp"

#include <vector>

#include "wb/testing/catch.hpp"
#include "wb/testing/specimens.hpp"

using wb::oracle::Probe;
using wb::oracle::ProbeStats;

TEST_CASE("a probe counts polls and notices its end") {
  auto stats = std::make_shared<ProbeStats>();
  {
    Probe probe(wb::testing::SelfWaking(1), "the child", stats);
    wb::Context cx(wb::Waker::noop());
    CHECK(probe.poll(cx).is_pending());
    CHECK(probe.poll(cx).is_ready());
    CHECK(stats->polls == 2);
    CHECK(stats->finished);
    CHECK_FALSE(stats->destroyed);
  }
  CHECK(stats->destroyed);
}

TEST_CASE("a probe polled again after Ready names the mistake") {
  Probe probe(wb::testing::SelfWaking(0), "the first future passed to join",
              std::make_shared<ProbeStats>());
  wb::Context cx(wb::Waker::noop());
  CHECK(probe.poll(cx).is_ready());
  CHECK_THROWS_WITH(
      probe.poll(cx),
      Catch::Matchers::ContainsSubstring(
          "the first future passed to join was polled again after it returned Ready"));
}

#ifndef NDEBUG
TEST_CASE("a probe moved after its first poll is caught at the next poll in debug builds") {
  std::vector<Probe<wb::testing::SelfWaking>> children;
  children.emplace_back(wb::testing::SelfWaking(3), "child", std::make_shared<ProbeStats>());
  wb::Context cx(wb::Waker::noop());
  CHECK(children[0].poll(cx).is_pending());
  children.reserve(children.capacity() + 8);  // reallocation moves the polled child
  CHECK_THROWS_WITH(children[0].poll(cx),
                    Catch::Matchers::ContainsSubstring("moved after its first poll"));
}
#endif
