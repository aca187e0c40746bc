// `workbook hint CH [--level N] [--all]`: the next hint for the chapter's first unfinished
// exercise (or every exercise), raising the stored level — the one `check` shows — up to 3.
// Earlier levels are repeated above the new one so no hint is ever skipped.
#include <fmt/core.h>

#include <algorithm>
#include <memory>

#include "wb/cli/command_spec.hpp"
#include "wb/cli/commands.hpp"
#include "wb/text/text.hpp"

namespace wb::cli {
using namespace wb::text;

namespace {

void print_hints(Session const& session, course::ChapterManifest const& chapter,
                 course::ExerciseManifest const& exercise, int from, int to) {
  auto const& term = session.term;
  int const count = static_cast<int>(exercise.hints.size());
  fmt::print("{} {}\n", term.bold(fmt::format("{} · {}", chapter.id, exercise.name)),
             term.dim(fmt::format("— hint {} of {}", to, count)));
  for (int level = from; level <= to; ++level) {
    auto const text = exercise.hint_at(level);
    auto const label = fmt::format("{}.", level);
    auto const body = wrap(text, term.width(), "     ");
    fmt::print("  {:<3}{}", level == to ? term.cyan(label) : term.dim(label),
               level == to ? body.substr(5) : term.dim(body.substr(5)));
  }
}

}  // namespace

int run_hint(Session const& session, HintOptions const& options) {
  auto const chapter_dir = session.resolve(options.chapter);
  if (!chapter_dir) return exit_usage;
  auto const chapter = session.load(*chapter_dir);
  if (!chapter) return exit_usage;
  if (options.level && (*options.level < 1 || *options.level > 3)) {
    session.error("--level must be 1, 2 or 3");
    return exit_usage;
  }
  auto progress = session.load_progress();
  auto& record = progress.chapter(chapter->id);

  std::vector<course::ExerciseManifest const*> chosen;
  for (auto const& exercise : chapter->exercises) {
    if (options.all) {
      chosen.push_back(&exercise);
    } else {
      auto found = record.exercises.find(exercise.name);
      bool const passed = found != record.exercises.end() && found->second.passed;
      if (!passed) {
        chosen.push_back(&exercise);
        break;
      }
    }
  }
  if (chosen.empty()) {
    fmt::print("Every exercise of {} passes already. Hints for {}:\n\n", chapter->id,
               chapter->exercises.front().name);
    chosen.push_back(&chapter->exercises.front());
  }

  bool first = true;
  for (auto const* exercise : chosen) {
    if (!first) fmt::print("\n");
    first = false;
    int const count = static_cast<int>(exercise->hints.size());
    if (count == 0) {
      fmt::print("{} has no hints.\n", exercise->name);
      continue;
    }
    if (options.level) {
      int const level = std::min(*options.level, count);
      print_hints(session, *chapter, *exercise, level, level);
      continue;
    }
    auto& stored = record.exercise(exercise->name);
    bool const seen_all = stored.hint_level >= count;
    int const level = std::min(stored.hint_level + (seen_all ? 0 : 1), count);
    stored.hint_level = std::clamp(level, 1, 3);
    print_hints(session, *chapter, *exercise, 1, level);
    if (seen_all) {
      fmt::print("  {}\n", session.term.dim("That is the last hint. The book's chapter walks "
                                            "through the idea step by step."));
    }
  }
  if (!options.level) session.save_progress(progress);
  return exit_ok;
}

CommandSpec hint_command() {
  auto options = std::make_shared<HintOptions>();
  return {"hint",
          "The next hint for a chapter's first unfinished exercise",
          {},
          {{"chapter", "The chapter", &options->chapter, true},
           {"--level", "Show this hint level (1-3) without raising yours", &options->level},
           {"--all", "Hints for every exercise of the chapter", &options->all}},
          {},
          [options](Session const& session) { return run_hint(session, *options); }};
}

}  // namespace wb::cli
