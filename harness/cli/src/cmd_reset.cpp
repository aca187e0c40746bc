// `workbook reset CH [--exercise NAME] [--yes]`: put the learner's files of a chapter back to the
// stub, after saving their version under .workbook/backups/. The stub comes from git; when it
// cannot be found for every file, nothing is changed.
#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "wb/cli/commands.hpp"
#include "wb/cli/pristine.hpp"
#include "wb/cli/text.hpp"
#include "wb/course/files.hpp"

namespace wb::cli {
namespace fs = std::filesystem;

int run_reset(Session const& session, ResetOptions const& options) {
  auto const chapter_dir = session.resolve(options.chapter);
  if (!chapter_dir) return exit_usage;
  auto const chapter = session.load(*chapter_dir);
  if (!chapter) return exit_usage;
  auto const& term = session.term;
  auto const& paths = session.paths;

  std::vector<course::ExerciseManifest const*> exercises;
  for (auto const& exercise : chapter->exercises) {
    if (options.exercise.empty() || exercise.name == options.exercise)
      exercises.push_back(&exercise);
  }
  if (exercises.empty()) {
    std::string names;
    for (auto const& exercise : chapter->exercises) names += " " + exercise.name;
    session.error(fmt::format("{} has no exercise \"{}\"; its exercises are:{}", chapter->id,
                              options.exercise, names));
    return exit_usage;
  }

  struct Change {
    fs::path file;
    std::string pristine;
    bool exists;
  };
  std::vector<Change> changes;
  std::vector<std::string> problems;
  for (auto const* exercise : exercises) {
    for (auto const& name : exercise->files) {
      auto const file = chapter->dir / name;
      auto version = pristine_version(paths.root, file);
      if (auto const* error = std::get_if<PristineError>(&version)) {
        problems.push_back(error->message);
        continue;
      }
      auto const& pristine = std::get<PristineVersion>(version).content;
      bool const exists = fs::exists(file);
      if (exists && course::read_text_file(file) == pristine) {
        fmt::print("{} {} is the stub already\n", term.dim("·"), paths.shown(file).string());
        continue;
      }
      changes.push_back({file, pristine, exists});
    }
  }
  if (!problems.empty()) {
    for (auto const& problem : problems) session.error(problem);
    fmt::print(stderr, "Nothing was changed.\n");
    return exit_usage;
  }
  if (changes.empty()) {
    fmt::print("Nothing to reset.\n");
    return exit_ok;
  }

  fmt::print("This puts back the stub of:\n");
  for (auto const& change : changes) fmt::print("  {}\n", paths.shown(change.file).string());
  fmt::print("Your versions are saved first, under {}.\n",
             paths.shown(paths.backups_dir() / chapter->id).string());
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

  for (auto const& change : changes) {
    try {
      if (change.exists) {
        auto const copy = back_up(change.file, paths.backups_dir() / chapter->id);
        fmt::print("{} saved your version as {}\n", term.green("✓"), paths.shown(copy).string());
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

}  // namespace wb::cli
