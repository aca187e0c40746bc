#include "wb/book/chapter_info.hpp"

#include <toml++/toml.h>

namespace wb::book {
namespace fs = std::filesystem;

namespace {

int integer(toml::node_view<toml::node const> node) {
  return static_cast<int>(node.value_or<std::int64_t>(0));
}

}  // namespace

std::optional<ChapterInfo> read_chapter_info(fs::path const& chapters_dir, std::string const& slug,
                                             std::vector<Problem>& problems) {
  auto const manifest = chapters_dir / slug / "chapter.toml";
  std::error_code error;
  if (!fs::is_regular_file(manifest, error)) return std::nullopt;
  toml::table root;
  try {
    root = toml::parse_file(manifest.string());
  } catch (toml::parse_error const& failure) {
    problems.push_back({manifest, static_cast<int>(failure.source().begin.line),
                        std::string(failure.description())});
    return std::nullopt;
  }
  ChapterInfo info;
  info.slug = slug;
  info.id = slug.substr(0, slug.find('-'));
  info.title = root["title"].value_or<std::string>("");
  info.summary = root["summary"].value_or<std::string>("");
  if (auto const* exercises = root["exercises"].as_array()) {
    for (auto const& node : *exercises) {
      auto const* table = node.as_table();
      if (table == nullptr) continue;
      toml::node_view<toml::node const> entry(table);
      ExerciseInfo exercise;
      exercise.name = entry["name"].value_or<std::string>("");
      exercise.title = entry["title"].value_or<std::string>(std::string(exercise.name));
      if (auto const* files = entry["files"].as_array()) {
        for (auto const& file : *files)
          if (auto const* name = file.as_string()) exercise.files.push_back(name->get());
      }
      if (auto const* tests = entry["tests"].as_table()) {
        for (auto const& [name, points] : *tests) {
          ++exercise.tests;
          exercise.points += static_cast<int>(points.value_or<std::int64_t>(0));
        }
      }
      info.exercises.push_back(std::move(exercise));
    }
  }
  return info;
}

std::map<std::string, ChapterProgress> read_progress(fs::path const& file) {
  std::map<std::string, ChapterProgress> progress;
  std::error_code error;
  if (file.empty() || !fs::is_regular_file(file, error)) return progress;
  toml::table root;
  try {
    root = toml::parse_file(file.string());
  } catch (toml::parse_error const&) {
    return progress;  // `workbook` sets an unreadable file aside; the book just shows no status
  }
  auto const* chapters = root["chapters"].as_table();
  if (chapters == nullptr) return progress;
  for (auto const& [id, node] : *chapters) {
    auto const* table = node.as_table();
    if (table == nullptr) continue;
    toml::node_view<toml::node const> entry(table);
    ChapterProgress chapter;
    chapter.status = entry["status"].value_or<std::string>("not started");
    chapter.best_points = integer(entry["best_points"]);
    chapter.total_points = integer(entry["total_points"]);
    chapter.last_check = entry["last_check"].value_or<std::string>("");
    if (auto const* exercises = entry["exercises"].as_table()) {
      for (auto const& [name, exercise_node] : *exercises) {
        toml::node_view<toml::node const> item(exercise_node);
        chapter.exercises[std::string(name.str())] = {integer(item["best_points"]),
                                                      integer(item["total_points"]),
                                                      item["passed"].value_or(false)};
      }
    }
    progress.emplace(std::string(id.str()), std::move(chapter));
  }
  return progress;
}

}  // namespace wb::book
