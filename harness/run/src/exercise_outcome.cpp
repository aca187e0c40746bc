#include "wb/run/exercise_outcome.hpp"

#include <fmt/core.h>

#include <algorithm>

namespace wb::run {
using wb::testing::Status;

int ExerciseOutcome::points() const {
  int sum = 0;
  for (auto const& test : tests) {
    if (test.status == Status::pass) sum += test.points;
  }
  return sum;
}

int ExerciseOutcome::total() const {
  int sum = 0;
  for (auto const& test : tests) sum += test.points;
  return sum;
}

std::size_t ExerciseOutcome::count(Status status) const {
  return static_cast<std::size_t>(std::count_if(
      tests.begin(), tests.end(), [&](TestOutcome const& test) { return test.status == status; }));
}

ExerciseOutcome run_exercise(course::ChapterManifest const& chapter,
                             course::ExerciseManifest const& exercise, std::string const& target,
                             std::filesystem::path const& program, RunOptions options,
                             std::optional<std::chrono::milliseconds> time_limit) {
  ExerciseOutcome outcome;
  outcome.exercise = exercise.name;
  outcome.target = target;
  options.program = program;
  if (options.tests.empty()) options.tests = exercise.test_names();
  options.time_limit = time_limit.value_or(chapter.time_limit);
  outcome.run = run_tests(options);
  for (auto const& entry : exercise.tests) {
    TestOutcome test;
    if (auto const* run = outcome.run.find(entry.name)) {
      static_cast<wb::testing::Verdict&>(test) = *run;
    } else {
      test.status = Status::fail;
      test.message = "did not run";
      test.reason = wb::testing::Reason::did_not_run;
      test.ran = false;
    }
    test.name = entry.name;
    test.points = entry.points;
    outcome.tests.push_back(std::move(test));
  }
  return outcome;
}

ExerciseOutcome not_compiled(course::ChapterManifest const& chapter,
                             course::ExerciseManifest const& exercise, std::string const& target,
                             BuildOutcome const& build,
                             std::vector<std::string> const& all_targets) {
  ExerciseOutcome outcome;
  outcome.exercise = exercise.name;
  outcome.target = target;
  outcome.compiled = false;
  std::string text;
  for (auto const* step : build.failures_of(target)) text += step->text;
  for (auto const* step : build.shared_failures(all_targets)) text += step->text;
  if (text.empty()) text = build.log;
  std::vector<std::string> preferred;
  for (auto const& file : exercise.files) {
    preferred.push_back((std::filesystem::path("chapters") / chapter.slug / file).generic_string());
  }
  outcome.compile_error = first_error(text, preferred, "chapters/" + chapter.slug + "/");
  if (!outcome.compile_error) {
    outcome.compile_problem = first_unlocated_error(text).value_or("the build failed");
  }
  for (auto const& entry : exercise.tests) {
    TestOutcome test;
    test.name = entry.name;
    test.points = entry.points;
    test.status = Status::fail;
    test.message = "does not compile";
    test.reason = wb::testing::Reason::compile_error;
    test.ran = false;
    outcome.tests.push_back(std::move(test));
  }
  return outcome;
}

}  // namespace wb::run
