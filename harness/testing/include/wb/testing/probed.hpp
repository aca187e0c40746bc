// wb::testing::probed — wraps a future in a wb::oracle::Probe and hands the test the probe's
// statistics, so a test sees how often a child of a combinator was polled, whether it finished,
// and whether it is still alive; the probe itself fails the test when a finished child is polled.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "wb/oracle/probe.hpp"

namespace wb::testing {

// ANCHOR: probed
/// `stats` is set to a fresh record that outlives the probe; `name` is how verdicts call it.
template <Future F>
oracle::Probe<F> probed(F future, std::string name, std::shared_ptr<oracle::ProbeStats>& stats) {
  stats = std::make_shared<oracle::ProbeStats>();
  return oracle::Probe<F>(std::move(future), std::move(name), stats);
}
// ANCHOR_END: probed

}  // namespace wb::testing
