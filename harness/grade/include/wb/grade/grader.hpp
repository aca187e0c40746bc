// Grading one exercise of one submission: its files into a folder of its own, the exercise's
// test file compiled against them and linked (both in the sandbox, with the grading tree's
// commands), the program run in the sandbox with signed results, and every test of chapter.toml
// scored with a reason; what was compiled is inspected against the stub's (see inspection.hpp)
// and what it finds is flagged for review. Results are cached by a SHA-256 of everything they
// depend on — the submission's files of that chapter, the test file, chapter.toml, the tree's
// libraries and commands, the limits — so an interrupted run resumes and an unchanged re-run is
// instant.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "wb/course/manifest.hpp"
#include "wb/grade/gradebook.hpp"
#include "wb/grade/grading_tree.hpp"
#include "wb/grade/inspection.hpp"
#include "wb/grade/sandbox.hpp"
#include "wb/grade/submission.hpp"
#include "wb/run/runner.hpp"

namespace wb::grade {

struct GradeSettings {
  /// Longest time one test may run; empty: each chapter's time_limit_seconds.
  std::optional<std::chrono::milliseconds> test_time;
  /// All tests of a submission together; each exercise gets a share in proportion to its tests.
  std::chrono::milliseconds submission_time{std::chrono::minutes(10)};
  /// CPU time the compiler may use for one exercise.
  int compile_seconds = 120;
  SandboxLimits limits;
  std::size_t output_cap = 1u << 20;  // a program printing more is stopped
  std::size_t output_shown = 2000;    // of each test's output, in the reports
  bool use_cache = true;  // take earlier grades from the cache (they are always written)
};

class Grader {
 public:
  Grader(std::filesystem::path root, GradingTree tree, SandboxSetup sandbox,
         std::vector<course::ChapterManifest> chapters, GradeSettings settings,
         std::filesystem::path work_dir, std::filesystem::path cache_dir);

  std::vector<course::ChapterManifest> const& chapters() const { return chapters_; }
  SandboxSetup const& sandbox() const { return sandbox_; }
  GradingTree const& tree() const { return tree_; }
  /// Every file a learner edits in the chapters graded.
  std::vector<WantedFile> wanted_files() const;
  /// The limits in words, for the report.
  std::string describe_limits() const;

  /// Grades exercise `exercise` of chapter `chapter` (indices into chapters()) of a submission;
  /// `slot` names the submission's folder under the work folder, `worker` the sandbox user.
  GradedExercise grade(SubmissionFiles const& submission, std::string const& slot,
                       std::size_t chapter, std::size_t exercise, int worker) const;

 private:
  std::string cache_key(SubmissionFiles const& submission, course::ChapterManifest const& chapter,
                        course::ExerciseManifest const& exercise) const;
  std::chrono::milliseconds time_share(course::ExerciseManifest const& exercise) const;
  /// The stub's compiled unit of `target` (its object in the tree, its test file preprocessed),
  /// read once per run (and kept in the cache for the next); empty, with `why` set, when it
  /// cannot be read.
  std::shared_ptr<CompiledUnit const> stub_unit(std::string const& target, std::string& why) const;
  std::shared_ptr<CompiledUnit const> read_stub_unit(std::string const& target,
                                                     std::string& why) const;
  /// What the test framework's objects and libraries on `target`'s link line define and use,
  /// read once per run and link line.
  std::shared_ptr<FrameworkSymbols const> framework_symbols(std::string const& target) const;
  /// How long a compile or link step may take by the clock: its CPU limit and half a minute
  /// more for a busy machine.
  std::chrono::milliseconds build_wall_limit() const {
    return std::chrono::seconds(settings_.compile_seconds + 30);
  }

  std::filesystem::path root_;
  GradingTree tree_;
  SandboxSetup sandbox_;
  std::vector<course::ChapterManifest> chapters_;
  GradeSettings settings_;
  std::filesystem::path work_dir_;
  std::filesystem::path cache_dir_;
  std::vector<std::string> chapter_sources_;  // chapter.toml and test files, per chapter
  std::size_t total_tests_ = 0;
  // Inspection baselines, made on first use by whichever worker needs them.
  mutable std::mutex baselines_mutex_;
  struct StubUnit {
    std::once_flag made;
    std::shared_ptr<CompiledUnit const> unit;
    std::string why;  // when it could not be read
  };
  mutable std::map<std::string, std::shared_ptr<StubUnit>> stub_units_;
  mutable std::map<std::string, std::shared_ptr<FrameworkSymbols const>> library_symbols_;
  // by link line: its libraries' symbols together
  mutable std::map<std::string, std::shared_ptr<FrameworkSymbols const>> link_symbols_;
};

}  // namespace wb::grade
