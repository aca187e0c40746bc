// wb::testing::TestSeed — the seed of a randomized test: $WB_SEED when it is set (to run a failure
// again with the same inputs), else a fresh one each run. A failure message carries replay(), so
// the learner can see the same case again after changing their code.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>

namespace wb::testing {

struct TestSeed {
  std::uint64_t value = 0;
  bool from_environment = false;

  static TestSeed pick() {
    if (char const* given = std::getenv("WB_SEED"); given != nullptr && *given != '\0') {
      return {std::strtoull(given, nullptr, 10), true};
    }
    std::random_device device;
    return {(std::uint64_t{device()} << 32) | device(), false};
  }

  /// "seed 1234 — WB_SEED=1234 scripts/workbook check ch11 gives the same inputs again"
  std::string replay(std::string const& chapter) const {
    auto const seed = std::to_string(value);
    return "seed " + seed + " — WB_SEED=" + seed + " scripts/workbook check " + chapter +
           " gives the same inputs again";
  }
};

}  // namespace wb::testing
