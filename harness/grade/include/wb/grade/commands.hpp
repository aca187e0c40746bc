// The instructor's commands, `grade` and `dist`: what they take on the command line, and how
// the workbook program adds them. They live in the grading library, which a build may leave out
// (-DWB_GRADING=OFF): a learner's `check` needs none of it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "wb/cli/commands.hpp"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace wb::grade {

struct GradeOptions {
  std::vector<std::string> submissions;  // folders, .tar.gz, .tgz, .tar or .zip files
  /// Submissions from this index on came after `--`: names, never options, even when they start
  /// with '-'.
  std::size_t first_after_separator = static_cast<std::size_t>(-1);
  std::vector<std::string> formats;   // names from report_formats(); empty: the first
  std::string out;                    // a file, or a folder for several files
  std::vector<std::string> chapters;  // empty: all
  int jobs = 0;                       // 0: the processors this process may run on, at most 8
  std::optional<double> time_limit;   // seconds per test; empty: each chapter's
  double submission_time = 600;       // seconds of tests per submission
  std::size_t memory_mb = 2048;
  int processes = 128;
  std::size_t output_cap = 1u << 20;
  std::size_t output_shown = 2000;
  std::string build_tree;  // empty: the workbook's own
  bool no_cache = false;
  bool no_build = false;
  bool no_sandbox = false;
  bool keep_work = false;
  bool quiet = false;
};
int run_grade(cli::Session const& session, GradeOptions const& options);

struct DistOptions {
  std::string what;  // "student", "gradescope" or "classroom"
  std::string out;
  bool tarball = false;
};
int run_dist(cli::Session const& session, DistOptions const& options);

/// `grade` and `dist` as subcommands of the workbook program.
class GradingCommands {
 public:
  /// Adds both subcommands and their flags to `app`; this object holds what they parse into,
  /// so it must outlive the parse.
  void add_to(CLI::App& app);
  /// The command line to parse, without what follows `--` after `grade`: those words are
  /// submissions whatever they look like, and are kept here (CLI11 2.x would parse a word after
  /// `--` that names a flag as the flag in some versions). The pointers are argv's own.
  std::vector<char*> set_aside_after_separator(int argc, char** argv);
  /// The exit code of the command the command line chose, if it chose one of these.
  std::optional<int> run(cli::Session const& session) const;

 private:
  GradeOptions grade_;
  std::vector<std::string> after_separator_;
  DistOptions dist_;
  CLI::App* grade_command_ = nullptr;
  CLI::Option* submissions_ = nullptr;
  CLI::App* dist_command_ = nullptr;
};

}  // namespace wb::grade
