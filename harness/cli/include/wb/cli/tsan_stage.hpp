// The second half of `check` for exercises whose code is shared with other threads
// (chapter.toml: `threads = true`): once their tests pass under AddressSanitizer, they are built
// in the ThreadSanitizer tree (build/tsan, configured the first time it is needed) and run again
// there. A data race on a plain field breaks no test and trips no AddressSanitizer check; only
// ThreadSanitizer sees it, and a test it reports in fails here like any other.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "wb/cli/commands.hpp"
#include "wb/course/manifest.hpp"
#include "wb/run/exercise_outcome.hpp"

namespace wb::cli {

struct TsanStage {
  std::vector<std::string> checked;  // the exercises run under ThreadSanitizer
  /// Exercises of the chapter with `threads = true` that were not (their tests do not pass yet,
  /// or the ThreadSanitizer tree could not be set up: `problem` says why).
  std::vector<std::string> waiting;
  std::string problem;  // the tree could not be configured or built; empty when it could
};

/// Runs the exercises of `chapter` that have `threads = true` and whose `outcomes` all passed
/// under ThreadSanitizer, and folds what it finds into `outcomes` (merge_tsan_outcome). Nothing
/// is done when the workbook's own tree is already a ThreadSanitizer build.
TsanStage run_tsan_stage(Session const& session, course::ChapterManifest const& chapter,
                         std::vector<run::ExerciseOutcome>& outcomes, bool trace);

/// Folds a run of an exercise under ThreadSanitizer into its outcome under AddressSanitizer:
/// each test that did not pass there fails here, with what ThreadSanitizer saw and where.
void merge_tsan_outcome(run::ExerciseOutcome& outcome, run::ExerciseOutcome const& under_tsan);

/// Whether the build tree `build_dir` was configured with ThreadSanitizer (WB_SANITIZERS).
bool is_tsan_tree(std::filesystem::path const& build_dir);

}  // namespace wb::cli
