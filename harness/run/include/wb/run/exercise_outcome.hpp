// Turning a build and test runs into per-exercise results scored by chapter.toml: which tests
// passed, failed or are not started, why, and how many points that makes. `check` prints these;
// `verify` compares them with what the stub, the solution and each mutant must give; the grader
// scores a submission with them.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "wb/course/manifest.hpp"
#include "wb/run/build.hpp"
#include "wb/run/compiler_log.hpp"
#include "wb/run/runner.hpp"

namespace wb::run {

/// One test of chapter.toml and how it went: the runner's verdict, and what the test is worth.
struct TestOutcome : wb::testing::Verdict {
  int points = 0;
};

struct ExerciseOutcome {
  std::string exercise;
  std::string target;
  bool compiled = true;
  std::optional<Diagnostic> compile_error;  // the first error, in the learner's files if any
  std::string compile_problem;              // a line of the log when no located error was found
  std::vector<TestOutcome> tests;           // chapter.toml's tests, in its order
  RunReport run;                            // empty when it did not compile

  int points() const;
  int total() const;
  std::size_t count(wb::testing::Status status) const;
  bool all_passed() const { return compiled && count(wb::testing::Status::pass) == tests.size(); }
};

/// Runs a built test program of `exercise` and scores its tests, each within `time_limit` (by
/// default the chapter's).
ExerciseOutcome run_exercise(course::ChapterManifest const& chapter,
                             course::ExerciseManifest const& exercise, std::string const& target,
                             std::filesystem::path const& program, RunOptions options = {},
                             std::optional<std::chrono::milliseconds> time_limit = std::nullopt);

/// The outcome of an exercise whose program did not build: every test failed, "does not
/// compile", with the first error from the build log.
ExerciseOutcome not_compiled(course::ChapterManifest const& chapter,
                             course::ExerciseManifest const& exercise, std::string const& target,
                             BuildOutcome const& build,
                             std::vector<std::string> const& all_targets);

}  // namespace wb::run
