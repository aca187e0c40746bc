// wb::course::ChapterManifest — a chapter's chapter.toml read into plain structs: its exercises,
// the files a learner edits, points per test, hints by level and the per-test time limit. The
// workbook's commands, the grader and the book all read chapter.toml through it.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "wb/course/chapters.hpp"

namespace wb::course {

/// chapter.toml is missing, unreadable or malformed; what() names the file and the problem.
class ManifestError : public std::runtime_error {
 public:
  /// what() is "<file>:<line>: <problem>", or "<file>: <problem>" when `line` is 0.
  ManifestError(std::filesystem::path file, int line, std::string const& problem);

  std::filesystem::path const& file() const { return file_; }
  int line() const { return line_; }  // 1-based; 0 when the whole file is meant
  std::string const& problem() const { return problem_; }

 private:
  std::filesystem::path file_;
  int line_;
  std::string problem_;
};

struct TestPoints {
  std::string name;  // the TEST_CASE's name, which reads as a sentence
  int points = 1;
};

struct TestHint {
  std::string test;
  std::string hint;
};

struct ExerciseManifest {
  std::string name;                // "countdown": test file countdown_test.cpp
  std::string title;               // "CountdownFuture"
  std::vector<std::string> files;  // what the learner edits, relative to the chapter folder
  std::vector<std::string> hints;  // level 1, 2, 3
  std::vector<TestPoints> tests;   // in the order chapter.toml lists them
  std::vector<TestHint> test_hints;
  /// `threads = true`: its code is shared with other threads, where a data race on a plain field
  /// is visible only to ThreadSanitizer — `check` runs its tests under ThreadSanitizer as well,
  /// once they pass under AddressSanitizer.
  bool threads = false;

  int total_points() const;
  TestPoints const* test(std::string_view test_name) const;
  /// The hint written for this one test, if the author wrote one.
  std::optional<std::string> hint_for(std::string_view test_name) const;
  /// The exercise's hint at `level` (1-based, clamped to the hints there are); empty if none.
  std::string hint_at(int level) const;
  std::vector<std::string> test_names() const;
};

/// A chapter's folder (id, number, slug, dir) and what its chapter.toml says.
struct ChapterManifest : ChapterDir {
  std::string title;
  std::string summary;
  std::chrono::seconds time_limit{10};
  std::vector<ExerciseManifest> exercises;

  int total_points() const;
  ExerciseManifest const* exercise(std::string_view name) const;
  /// The build target of an exercise's variant: "ch02_countdown", "ch02_countdown_solution".
  std::string target(ExerciseManifest const& exercise, std::string_view suffix = {}) const;
};

/// Whether a chapter.toml must list exercises. The commands need them; the book also shows a
/// chapter whose exercises are still being written.
enum class Exercises { required, optional };

/// Reads <dir>/chapter.toml; `dir`'s name is the chapter's slug (chNN-…).
ChapterManifest load_chapter(std::filesystem::path const& dir,
                             Exercises exercises = Exercises::required);
/// Parses chapter.toml text; `dir` gives the slug and where relative files are found.
ChapterManifest parse_chapter(std::string_view toml_text, std::filesystem::path const& dir,
                              Exercises exercises = Exercises::required);

/// Characters a test name should not contain: Catch2 reads them as test-spec syntax. The runner
/// escapes them, but `verify` holds authors to the rule so names stay easy to filter by hand.
inline constexpr std::string_view forbidden_test_name_characters = ",[]\"\\*";

}  // namespace wb::course
