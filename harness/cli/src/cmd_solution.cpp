// `workbook solution CH [--exercise NAME] [--force]`: the reference solution of each exercise of
// the chapter that passed at the last check, and a diff from the learner's file to it. Before an
// exercise passes it refuses, unless --force, saying what seeing the answer gives away. A copy
// of the course without solutions/ (a student bundle) says so.
#include <fmt/core.h>

#include <filesystem>
#include <memory>

#include "wb/cli/command_spec.hpp"
#include "wb/cli/commands.hpp"
#include "wb/course/files.hpp"
#include "wb/run/process.hpp"
#include "wb/text/text.hpp"

namespace wb::cli {
using namespace wb::run;
using run::run_command;  // cli::run_command(), the `run` command's spec, would hide it
using namespace wb::text;
namespace fs = std::filesystem;

int run_solution(Session const& session, SolutionOptions const& options) {
  auto const chapter_dir = session.resolve(options.chapter);
  if (!chapter_dir) return exit_usage;
  auto const chapter = session.load(*chapter_dir);
  if (!chapter) return exit_usage;
  auto const& term = session.term;
  auto const& paths = session.paths;

  std::vector<course::ExerciseManifest const*> exercises;
  for (auto const& exercise : chapter->exercises) {
    if (options.exercise.empty() || exercise.name == options.exercise) {
      exercises.push_back(&exercise);
    }
  }
  if (exercises.empty()) {
    std::string names;
    for (auto const& exercise : chapter->exercises) names += " " + exercise.name;
    session.error(fmt::format("{} has no exercise \"{}\"; its exercises are:{}", chapter->id,
                              options.exercise, names));
    return exit_usage;
  }
  auto const solutions = paths.solutions_dir() / chapter->slug;
  if (!fs::is_directory(solutions)) {
    session.error(fmt::format(
        "this copy of the course has no reference solutions ({} is missing): a student bundle "
        "leaves them out. Your instructor has them",
        paths.shown(solutions).string()));
    return exit_usage;
  }

  auto const progress = session.load_progress();
  auto const* record = progress.find(chapter->id);
  int refused = 0;
  for (auto const* exercise : exercises) {
    bool passed = false;
    if (record != nullptr) {
      auto found = record->exercises.find(exercise->name);
      passed = found != record->exercises.end() && found->second.passed;
    }
    fmt::print("{}\n", term.bold(fmt::format("{} · {}", chapter->id, exercise->name)));
    if (!passed && !options.force) {
      ++refused;
      fmt::print(
          "{}",
          wrap(fmt::format(
                   "Not shown: {} has not passed `check {}` yet. The reference is one way to the "
                   "answer, and reading it before you find yours gives away the part of the "
                   "exercise that teaches (the hints, `workbook hint {}`, go one step at a "
                   "time). `--force` shows it anyway.",
                   exercise->name, chapter->id, chapter->id),
               term.width(), "  "));
      continue;
    }
    for (auto const& name : exercise->files) {
      auto const reference = solutions / name;
      auto const mine = chapter->dir / name;
      if (!fs::exists(reference)) {
        session.error(fmt::format("{} is missing", paths.shown(reference).string()));
        return exit_usage;
      }
      fmt::print("{}\n", term.dim(fmt::format("── {} (the reference) ──",
                                              paths.shown(reference).string())));
      fmt::print("{}", course::read_text_file(reference));
      auto diff = run_command(
          {"diff", "-u", "--label", paths.shown(mine).string() + " (yours)", "--label",
           paths.shown(reference).string() + " (the reference)", mine.string(), reference.string()},
          {}, 4u << 20);
      fmt::print("{}\n", term.dim("── from yours to the reference ──"));
      if (diff.output.empty()) {
        fmt::print("  (the same, line for line)\n");
      } else {
        fmt::print("{}", diff.output);
      }
    }
    fmt::print("\n");
  }
  return refused > 0 && refused == static_cast<int>(exercises.size()) ? exit_failed : exit_ok;
}

CommandSpec solution_command() {
  auto options = std::make_shared<SolutionOptions>();
  return {"solution",
          "The reference solution of each exercise that passes, and a diff from yours",
          {},
          {{"chapter", "The chapter", &options->chapter, true},
           {"--exercise", "Only this exercise", &options->exercise},
           {"--force", "Show it although the exercise does not pass yet", &options->force}},
          {},
          [options](Session const& session) { return run_solution(session, *options); }};
}

}  // namespace wb::cli
