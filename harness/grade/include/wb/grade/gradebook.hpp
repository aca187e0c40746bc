// The grades `workbook grade` gives — per test, exercise, chapter and submission — and the
// forms they are written in: a terminal table, a CSV gradebook (a row per submission, a column
// per chapter), the full record as JSON, JUnit XML, Gradescope's results.json and the Exercism
// test runner's results.json (version 3). JSON is written with nlohmann/json.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "wb/cli/terminal.hpp"
#include "wb/testing/verdict.hpp"

namespace wb::grade {

/// One test's grade: the runner's verdict (its output cut to a set length), and its points.
struct GradedTest : wb::testing::Verdict {
  int points = 0;      // earned
  int max_points = 0;  // what chapter.toml says it is worth

  double seconds() const { return std::chrono::duration<double>(duration).count(); }
};

/// A test that failed without running, for `reason` (did_not_run, compile_error, not_submitted …).
GradedTest test_not_run(std::string name, int max_points, wb::testing::Reason reason,
                        std::string message);

/// Why a test has its grade, in the word or two every format shows: "passed", "failed",
/// "not started", "timeout", "hang", "crash", "memory limit", "output limit", "exited early",
/// "time budget", "did not run", "compile error", "not submitted". The one table from a
/// verdict's reason to the gradebook's words.
std::string_view reason_word(wb::testing::Verdict const& verdict);

/// Where grading time went, in seconds by the clock: an exercise's steps, or a submission's (its
/// reading and its exercises' steps summed: with --jobs N, up to N times the time it waited).
struct GradingTime {
  double unpack = 0;   // reading the submission: a folder copied, an archive unpacked
  double compile = 0;  // the exercise's test file against the learner's headers, in the sandbox
  double inspect = 0;  // nm, readelf and the preprocessor on what was compiled, and the comparison
  double link = 0;
  double run = 0;    // the test program, in the sandbox
  double other = 0;  // folders and files, the cache (its key, its entry), cleaning up

  double total() const { return unpack + compile + inspect + link + run + other; }
  GradingTime& operator+=(GradingTime const& more);
};

struct GradedExercise {
  std::string chapter;  // "ch02"
  std::string exercise;
  std::string title;
  bool submitted = true;  // false: none of its files were in the submission
  bool compiled = true;
  std::string compile_error;  // the first error, "countdown.hpp:12:5: error: …"
  std::vector<std::string> notes;
  std::vector<GradedTest> tests;
  double seconds = 0;   // compiling and running
  GradingTime time;     // of this run: none but `other` when it came from the cache
  bool cached = false;  // taken from an earlier run
  bool cacheable = true;

  int points() const;
  int max_points() const;
};

struct GradedChapter {
  std::string id;
  std::string slug;
  std::string title;
  std::vector<GradedExercise> exercises;

  int points() const;
  int max_points() const;
};

struct SubmissionGrade {
  std::string name;       // printable, and no other submission's in the same book
  std::string file_stem;  // its Gradescope or Exercism file's name: tame, and its own
  std::string source;
  std::string error;  // could not be graded at all
  std::vector<std::string> notes;
  std::vector<GradedChapter> chapters;
  double seconds = 0;
  GradingTime time;  // reading it, and its exercises' steps summed

  int points() const;
  int max_points() const;
  bool cached() const;
};

/// A whole run: every submission and how they were graded.
struct Gradebook {
  std::vector<SubmissionGrade> submissions;
  std::vector<std::pair<std::string, std::string>> chapters;  // id, title: the columns
  std::string sandbox;                                        // SandboxSetup::describe()
  std::string limits;                                         // the limits in words
  std::string build_tree;
};

/// `text` cut to `limit` bytes (at a line break near the end if there is one, never inside a
/// UTF-8 character) with a marker saying how much was left out.
std::string cut_output(std::string_view text, std::size_t limit);

/// `text` safe to show on a terminal and in every format: invalid UTF-8 as U+FFFD, and control
/// characters written visibly instead of acted on — C0 (newline and tab kept when `multiline`),
/// DEL, C1 and the bidirectional overrides that reorder a line, as \x1b or \u{202e}.
std::string printable(std::string_view text, bool multiline = true);

/// `text` cut to at most `limit` bytes, its marker of what was left out included.
std::string cap_text(std::string_view text, std::size_t limit);

/// The longest verdict kept per test: a compile error copied into each test's message is cut
/// there; the exercise keeps it whole up to max_compile_error_bytes.
inline constexpr std::size_t max_test_message_bytes = 4u << 10;
inline constexpr std::size_t max_compile_error_bytes = 64u << 10;
/// Exercism's test runner takes at most 65,535 characters in its top-level message.
inline constexpr std::size_t max_exercism_message_bytes = 65'535;

/// Every note, message, compile error and output of `exercise` made printable() and cut to the
/// limits above: what the grader stores and every format shows.
void make_presentable(GradedExercise& exercise);

nlohmann::json to_json(GradedExercise const& exercise);
GradedExercise exercise_from_json(nlohmann::json const& json);

std::string format_table(Gradebook const& book, cli::Terminal const& term);
/// Where the time of grading a submission went, on average, in a line: "grading time per
/// submission: 61.2 s (compile 40.1 s, …)"; empty when no submission was graded.
std::string describe_grading_time(Gradebook const& book);
std::string format_csv(Gradebook const& book);
std::string format_json(Gradebook const& book);
std::string format_junit(Gradebook const& book);
std::string format_gradescope(Gradebook const& book, SubmissionGrade const& submission);
/// `test_code` gives the source of a test (by chapter, exercise and test name) for Exercism's
/// "test_code" field.
using TestCodeLookup =
    std::function<std::string(std::string const&, std::string const&, std::string const&)>;
std::string format_exercism(SubmissionGrade const& submission, TestCodeLookup const& test_code);

/// The body of TEST_CASE("name") in a test file's text, from the macro to its closing brace.
std::string test_case_source(std::string_view file_text, std::string_view name);

}  // namespace wb::grade
