// The workbook's commands, one source file each (cmd_<name>.cpp), and the Session they share:
// where things are, how to print, and the chapters there are.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wb/cli/terminal.hpp"
#include "wb/course/chapters.hpp"
#include "wb/course/manifest.hpp"
#include "wb/course/paths.hpp"
#include "wb/course/progress.hpp"

namespace wb::cli {

/// Exit codes of every command.
inline constexpr int exit_ok = 0;      // everything passed
inline constexpr int exit_failed = 1;  // some test (or check) failed
inline constexpr int exit_usage = 2;   // a usage or setup error: nothing was graded

struct Session {
  course::Paths paths;
  Terminal term;
  std::vector<course::ChapterDir> chapters;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  static Session discover();

  /// The chapter `name` means; prints what the chapters are called and returns nothing when
  /// there is no such chapter.
  std::optional<course::ChapterDir> resolve(std::string const& name) const;
  /// The chapters `names` mean (every chapter when empty); nothing after printing what is wrong
  /// when a name means none, or when there are no chapters at all (`doing`: "verify", "grade").
  std::optional<std::vector<course::ChapterDir>> choose(std::vector<std::string> const& names,
                                                        std::string_view doing) const;
  /// Its chapter.toml, or nothing after printing what is wrong with it.
  std::optional<course::ChapterManifest> load(course::ChapterDir const& chapter) const;
  /// The stored progress; an unreadable file is set aside with a warning and counts as empty.
  course::Progress load_progress() const;
  /// Saves progress; a failure is a warning (a check's result matters more than its record).
  void save_progress(course::Progress const& progress) const;
  /// The chapter after `chapter`, if any.
  std::optional<course::ChapterDir> next_chapter(course::ChapterDir const& chapter) const;

  /// `text` with the repository's absolute path taken out of file names in it.
  std::string shorten(std::string_view text) const;

  void error(std::string const& message) const;
  void warning(std::string const& message) const;
};

int run_list(Session const& session);

struct CheckOptions {
  std::string chapter;
  bool trace = false;  // the oracles record each failure's poll/wake timeline
  /// Skip the second run under ThreadSanitizer of exercises with `threads = true`.
  bool no_tsan = false;
};
int run_check(Session const& session, CheckOptions const& options);

struct WatchOptions {
  std::string chapter;  // empty: the first chapter not done
};
int run_watch(Session const& session, WatchOptions const& options);

struct HintOptions {
  std::string chapter;
  std::optional<int> level;
  bool all = false;
};
int run_hint(Session const& session, HintOptions const& options);

struct SolutionOptions {
  std::string chapter;
  std::string exercise;  // empty: every exercise of the chapter
  bool force = false;    // show it before the exercise passes
};
int run_solution(Session const& session, SolutionOptions const& options);

struct ResetOptions {
  std::string chapter;   // empty with --all
  std::string exercise;  // empty: every exercise of the chapter
  bool all = false;      // every chapter, one backup folder
  bool yes = false;
};
int run_reset(Session const& session, ResetOptions const& options);

int run_doctor(Session const& session);

struct VerifyOptions {
  std::vector<std::string> chapters;  // empty: all
  bool no_build = false;              // the targets are built already (ctest)
  std::string json_file;
};
int run_verify(Session const& session, VerifyOptions const& options);

struct BookOptions {
  std::string action;  // "build" or "serve"
  std::string out;     // the site's folder; empty: build/book-site
  int port = 3000;     // serve only
};
int run_book(Session const& session, BookOptions const& options);

struct RunProgramOptions {
  std::string program;            // "chat"
  bool mine = false;              // built from the learner's files instead of solutions/
  std::vector<std::string> args;  // passed to the program
};
int run_program(Session const& session, RunProgramOptions const& options);

}  // namespace wb::cli
