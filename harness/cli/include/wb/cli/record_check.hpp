// What a check leaves in progress.toml: the chapter's best points so far, its status, the time of
// the check, and each exercise's score, from the exercises' outcomes (wb/run/exercise_outcome.hpp).
#pragma once

#include <vector>

#include "wb/course/manifest.hpp"
#include "wb/course/progress.hpp"
#include "wb/run/exercise_outcome.hpp"

namespace wb::cli {

/// Records a check of the chapter in its progress entry: best points so far, the status, the
/// time of the check, and each exercise's score.
void record_check(course::ChapterProgress& progress, course::ChapterManifest const& chapter,
                  std::vector<run::ExerciseOutcome> const& outcomes);

}  // namespace wb::cli
