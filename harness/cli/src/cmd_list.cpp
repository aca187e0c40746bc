// `workbook list`: every chapter with its title and how far the learner got, and a progress bar
// of the whole book (best points earned over all points there are).
#include <fmt/core.h>

#include <memory>

#include "wb/cli/command_spec.hpp"
#include "wb/cli/commands.hpp"
#include "wb/text/text.hpp"

namespace wb::cli {
using namespace wb::text;

int run_list(Session const& session) {
  auto const& term = session.term;
  auto const progress = session.load_progress();
  if (session.chapters.empty()) {
    session.error(
        fmt::format("there are no chapters in {}", session.paths.chapters_dir().string()));
    return exit_usage;
  }

  struct Row {
    course::ChapterDir dir;
    std::optional<course::ChapterManifest> manifest;
    std::string problem;
  };
  std::vector<Row> rows;
  std::size_t title_width = 0;
  for (auto const& dir : session.chapters) {
    Row row{dir, std::nullopt, {}};
    try {
      row.manifest = course::load_chapter(dir.dir);
      title_width = std::max(title_width, display_width(row.manifest->title));
    } catch (course::ManifestError const& problem) {
      row.problem = problem.what();
    }
    rows.push_back(std::move(row));
  }
  title_width = std::min<std::size_t>(title_width, 40);

  long earned = 0;
  long total = 0;
  fmt::print("{}\n\n", term.bold("Async C++ Workbook"));
  for (auto const& row : rows) {
    if (!row.manifest) {
      fmt::print("  {}  {}\n", row.dir.id, term.red("chapter.toml: " + row.problem));
      continue;
    }
    auto const& manifest = *row.manifest;
    auto const chapter_total = manifest.total_points();
    total += chapter_total;
    auto const* record = progress.find(manifest.id);
    std::string status;
    if (record == nullptr || record->status == course::ChapterStatus::not_started) {
      status = term.dim("· not started");
    } else {
      auto const best = std::min(record->best_points, chapter_total);
      earned += best;
      status = record->status == course::ChapterStatus::done && best >= chapter_total
                   ? term.green(fmt::format("✓ done         {}/{}", best, chapter_total))
                   : term.yellow(fmt::format("◐ in progress  {}/{}", best, chapter_total));
    }
    auto title = manifest.title;
    auto const padding =
        title_width > display_width(title) ? title_width - display_width(title) : 0;
    fmt::print("  {}  {}{}  {}\n", term.bold(manifest.id), title, std::string(padding, ' '),
               status);
    if (!manifest.summary.empty()) {
      fmt::print("{}", term.dim(wrap(manifest.summary, term.width(), "        ")));
    }
  }
  auto const percent = total > 0 ? earned * 100 / total : 0;
  fmt::print("\n  {}  {}  {}/{} points ({}%)\n", term.bold("book"),
             term.green(progress_bar(earned, total, 30)), earned, total, percent);
  return exit_ok;
}

CommandSpec list_command() {
  return {"list", "Every chapter, how far you got, and the whole book's progress", {}, {},
          {},     [](Session const& session) { return run_list(session); }};
}

}  // namespace wb::cli
