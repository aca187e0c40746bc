#include <fmt/core.h>

#include "wb/cli/commands.hpp"

namespace wb::cli {

Session Session::discover() {
  Session session{course::Paths::discover(), Terminal::detect(), {}};
  session.chapters = course::find_chapters(session.paths.chapters_dir());
  return session;
}

std::string Session::shorten(std::string_view text) const {
  auto const prefix = paths.root.string() + "/";
  std::string out(text);
  for (auto at = out.find(prefix); at != std::string::npos; at = out.find(prefix, at)) {
    out.erase(at, prefix.size());
  }
  return out;
}

void Session::error(std::string const& message) const {
  fmt::print(stderr, "{} {}\n", term.red("error:"), message);
}

void Session::warning(std::string const& message) const {
  fmt::print(stderr, "{} {}\n", term.yellow("warning:"), message);
}

std::optional<course::ChapterDir> Session::resolve(std::string const& name) const {
  if (auto chapter = course::resolve_chapter(chapters, name)) return chapter;
  if (chapters.empty()) {
    error(fmt::format("there are no chapters in {}", paths.chapters_dir().string()));
    return std::nullopt;
  }
  error(fmt::format("there is no chapter \"{}\". The chapters are:", name));
  for (auto const& chapter : chapters) {
    fmt::print(stderr, "  {}  {}\n", chapter.id, chapter.slug);
  }
  fmt::print(stderr, "A chapter can be named ch02, 2, 02 or by its folder name.\n");
  return std::nullopt;
}

std::optional<std::vector<course::ChapterDir>> Session::choose(
    std::vector<std::string> const& names, std::string_view doing) const {
  std::vector<course::ChapterDir> chosen;
  if (names.empty()) chosen = chapters;
  for (auto const& name : names) {
    auto chapter = resolve(name);
    if (!chapter) return std::nullopt;
    chosen.push_back(*chapter);
  }
  if (chosen.empty()) {
    error(fmt::format("there are no chapters to {}", doing));
    return std::nullopt;
  }
  return chosen;
}

std::optional<course::ChapterManifest> Session::load(course::ChapterDir const& chapter) const {
  try {
    return course::load_chapter(chapter.dir);
  } catch (course::ManifestError const& problem) {
    error(problem.what());
    return std::nullopt;
  }
}

course::Progress Session::load_progress() const {
  course::ProgressStore store(paths.progress_file());
  try {
    return store.load();
  } catch (course::ProgressError const& problem) {
    auto aside = store.set_aside();
    warning(fmt::format("{}\n  starting a new progress file; the old one is kept as {}",
                        problem.what(), aside.empty() ? "(could not be moved)" : aside.string()));
    return {};
  }
}

void Session::save_progress(course::Progress const& progress) const {
  try {
    course::ProgressStore(paths.progress_file()).save(progress);
  } catch (course::ProgressError const& problem) {
    warning(fmt::format("progress not saved: {}", problem.what()));
  }
}

std::optional<course::ChapterDir> Session::next_chapter(course::ChapterDir const& chapter) const {
  for (auto const& candidate : chapters) {
    if (candidate.number > chapter.number) return candidate;
  }
  return std::nullopt;
}

}  // namespace wb::cli
