#include "wb/cli/record_check.hpp"

#include <algorithm>

namespace wb::cli {

void record_check(course::ChapterProgress& progress, course::ChapterManifest const& chapter,
                  std::vector<run::ExerciseOutcome> const& outcomes) {
  int points = 0;
  bool touched = false;  // the learner has written something: not every test is "not started"
  for (auto const& outcome : outcomes) {
    auto& exercise = progress.exercise(outcome.exercise);
    exercise.total_points = outcome.total();
    exercise.best_points = std::max(exercise.best_points, outcome.points());
    exercise.passed = outcome.all_passed();
    points += outcome.points();
    touched = touched || !outcome.compiled ||
              outcome.count(wb::testing::Status::not_started) < outcome.tests.size();
  }
  progress.total_points = chapter.total_points();
  progress.best_points = std::max(progress.best_points, points);
  progress.last_check = course::utc_timestamp();
  if (progress.total_points > 0 && progress.best_points >= progress.total_points) {
    progress.status = course::ChapterStatus::done;
  } else if (touched || progress.best_points > 0 ||
             progress.status != course::ChapterStatus::not_started) {
    progress.status =
        course::ChapterStatus::in_progress;  // (also when a done chapter gained tests)
  }
}

}  // namespace wb::cli
