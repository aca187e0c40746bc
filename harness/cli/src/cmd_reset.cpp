// `workbook reset CH [--exercise NAME] [--yes]` or `workbook reset --all [--yes]`: put the
// learner's files of a chapter (or of the whole course) back to the stub, after saving their
// version under .workbook/backups/ (one folder, all-<time>, for --all). The stub comes from git;
// when it cannot be found for every file, nothing is changed.
#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "wb/cli/command_spec.hpp"
#include "wb/cli/commands.hpp"
#include "wb/cli/pristine.hpp"
#include "wb/course/files.hpp"
#include "wb/text/text.hpp"

namespace wb::cli {
using namespace wb::text;
namespace fs = std::filesystem;

namespace {

struct Change {
  fs::path file;
  std::string pristine;
  bool exists;
  fs::path backups;  // where the learner's version is saved
};

// The files of `chapter` (of one exercise, when `exercise` is given) that differ from their
// stub, added to `changes`; files git cannot give a stub for go to `problems`. False for an
// unknown exercise.
bool collect_changes(Session const& session, course::ChapterManifest const& chapter,
                     std::string const& exercise_name, fs::path const& backups,
                     std::vector<Change>& changes, std::vector<std::string>& problems) {
  auto const& paths = session.paths;
  std::vector<course::ExerciseManifest const*> exercises;
  for (auto const& exercise : chapter.exercises) {
    if (exercise_name.empty() || exercise.name == exercise_name) exercises.push_back(&exercise);
  }
  if (exercises.empty()) {
    std::string names;
    for (auto const& exercise : chapter.exercises) names += " " + exercise.name;
    session.error(fmt::format("{} has no exercise \"{}\"; its exercises are:{}", chapter.id,
                              exercise_name, names));
    return false;
  }
  for (auto const* exercise : exercises) {
    for (auto const& name : exercise->files) {
      auto const file = chapter.dir / name;
      auto version = pristine_version(paths.root, file);
      if (auto const* error = std::get_if<PristineError>(&version)) {
        problems.push_back(error->message);
        continue;
      }
      auto const& pristine = std::get<PristineVersion>(version).content;
      bool const exists = fs::exists(file);
      if (exists && course::read_text_file(file) == pristine) continue;  // the stub already
      changes.push_back({file, pristine, exists, backups});
    }
  }
  return true;
}

}  // namespace

int run_reset(Session const& session, ResetOptions const& options) {
  auto const& term = session.term;
  auto const& paths = session.paths;
  if (options.all == !options.chapter.empty() || (options.all && !options.exercise.empty())) {
    session.error("name a chapter (reset ch02, optionally with --exercise NAME), or --all alone");
    return exit_usage;
  }

  std::vector<Change> changes;
  std::vector<std::string> problems;
  fs::path backups;
  if (options.all) {
    // One backup folder for the whole course, so that one folder holds everything it replaced.
    backups = paths.backups_dir() / ("all-" + course::file_timestamp());
    for (auto const& dir : session.chapters) {
      auto const chapter = session.load(dir);
      if (!chapter) return exit_usage;
      if (!collect_changes(session, *chapter, "", backups / chapter->id, changes, problems)) {
        return exit_usage;
      }
    }
  } else {
    auto const chapter_dir = session.resolve(options.chapter);
    if (!chapter_dir) return exit_usage;
    auto const chapter = session.load(*chapter_dir);
    if (!chapter) return exit_usage;
    backups = paths.backups_dir() / chapter->id;
    if (!collect_changes(session, *chapter, options.exercise, backups, changes, problems)) {
      return exit_usage;
    }
  }
  if (!problems.empty()) {
    for (auto const& problem : problems) session.error(problem);
    fmt::print(stderr, "Nothing was changed.\n");
    return exit_usage;
  }
  if (changes.empty()) {
    fmt::print("Nothing to reset: every file is the stub already.\n");
    return exit_ok;
  }

  fmt::print("This puts back the stub of:\n");
  for (auto const& change : changes) fmt::print("  {}\n", paths.shown(change.file).string());
  fmt::print("Your versions are saved first, under {}.\n", paths.shown(backups).string());
  if (!options.yes) {
    if (::isatty(STDIN_FILENO) != 1) {
      session.error(
          "reset asks before it replaces files, and there is no terminal to ask on; "
          "run it again with --yes to go ahead");
      return exit_usage;
    }
    fmt::print("Reset? [y/N] ");
    std::fflush(stdout);
    std::string answer;
    std::getline(std::cin, answer);
    auto const yes = to_lower(trim(answer));
    if (yes != "y" && yes != "yes") {
      fmt::print("Nothing was changed.\n");
      return exit_ok;
    }
  }

  // Every version is saved before any file is replaced: a failure on the way changes nothing.
  std::vector<fs::path> copies;
  for (auto const& change : changes) {
    try {
      copies.push_back(change.exists ? back_up(change.file, change.backups) : fs::path());
    } catch (fs::filesystem_error const& error) {
      session.error(fmt::format("saving {}: {}", paths.shown(change.file).string(), error.what()));
      fmt::print(stderr, "Nothing was changed.\n");
      return exit_usage;
    }
  }
  for (std::size_t i = 0; i < changes.size(); ++i) {
    auto const& change = changes[i];
    try {
      if (!copies[i].empty()) {
        fmt::print("{} saved your version as {}\n", term.green("✓"),
                   paths.shown(copies[i]).string());
      }
      course::write_file_atomically(change.file, change.pristine);
      fmt::print("{} {} is the stub again\n", term.green("✓"), paths.shown(change.file).string());
    } catch (fs::filesystem_error const& error) {
      session.error(fmt::format("{}: {}", paths.shown(change.file).string(), error.what()));
      return exit_usage;
    }
  }
  return exit_ok;
}

CommandSpec reset_command() {
  auto options = std::make_shared<ResetOptions>();
  return {
      "reset",
      "Put a chapter's exercise files back to the stub (your version is backed up first)",
      {},
      {{"chapter", "The chapter", &options->chapter},
       {"--exercise", "Only this exercise", &options->exercise},
       {"--all", "Every chapter of the course (your versions saved in one folder)", &options->all},
       {"--yes,-y", "Do not ask before replacing files", &options->yes}},
      {},
      [options](Session const& session) { return run_reset(session, *options); }};
}

}  // namespace wb::cli
