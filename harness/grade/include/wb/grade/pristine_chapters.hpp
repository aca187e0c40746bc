// The chapters a submission is graded against: the course's chapters/ with every file a learner
// edits put back to its stub from git. An instructor's own tree often holds solved exercises;
// graded against it, a submission's `#include_next <countdown.hpp>` (or a file left out, which
// falls back to the tree's) would reach the instructor's answer.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "wb/course/manifest.hpp"
#include "wb/grade/grading_tree.hpp"

namespace wb::grade {

struct PristineChapters {
  std::filesystem::path dir;          // a folder laid out as chapters/: <dir>/<slug>/…
  std::string digest;                 // SHA-256 of every file in it: part of every cache key
  bool from_git = false;              // false: not a git checkout, chapters/ is used as it is
  std::vector<std::string> warnings;  // for the instructor: what differs from git, and what is used
};

/// Builds the graded chapters of `chapters` under `into`/<digest>/ (kept there: a later run with
/// the same stubs finds it made): each chapter folder of `root` as it is, but its learners' files
/// as git's HEAD has them — or, where HEAD's has no WB_TODO left, as the newest commit that
/// still does. Outside a git checkout, `root`/chapters itself, and a warning that says so.
PristineChapters pristine_chapters(std::filesystem::path const& root,
                                   std::vector<course::ChapterManifest> const& chapters,
                                   std::filesystem::path const& into);

/// Aims `tree`'s compile commands, and what its sandbox mounts, at `pristine` instead of the
/// chapters folder its commands name; its fingerprint then includes the stubs' digest.
void use_pristine_chapters(GradingTree& tree, PristineChapters const& pristine);

}  // namespace wb::grade
