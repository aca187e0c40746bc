#include "wb/course/progress.hpp"

#include <fmt/core.h>
#include <time.h>
#include <toml++/toml.h>

#include <algorithm>
#include <ctime>
#include <sstream>

#include "wb/course/files.hpp"

namespace wb::course {
namespace fs = std::filesystem;

std::string_view to_string(ChapterStatus status) {
  switch (status) {
    case ChapterStatus::not_started:
      return "not started";
    case ChapterStatus::in_progress:
      return "in progress";
    case ChapterStatus::done:
      return "done";
  }
  return "not started";
}

namespace {

ChapterStatus status_from(std::string_view text) {
  if (text == "done") return ChapterStatus::done;
  if (text == "in progress") return ChapterStatus::in_progress;
  return ChapterStatus::not_started;
}

int integer(toml::node_view<toml::node const> node, int fallback) {
  return static_cast<int>(node.value_or<std::int64_t>(fallback));
}

std::string timestamp(char const* format) {
  std::time_t const now = std::time(nullptr);
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, format, &utc);
  return buffer;
}

}  // namespace

int ChapterProgress::hint_level(std::string const& name) const {
  auto found = exercises.find(name);
  return found == exercises.end() ? 1 : found->second.hint_level;
}

ChapterProgress const* Progress::find(std::string const& id) const {
  auto found = chapters.find(id);
  return found == chapters.end() ? nullptr : &found->second;
}

std::string utc_timestamp() { return timestamp("%Y-%m-%dT%H:%M:%SZ"); }
std::string file_timestamp() { return timestamp("%Y%m%d-%H%M%S"); }

std::string format_progress(Progress const& progress) {
  toml::table chapters;
  for (auto const& [id, chapter] : progress.chapters) {
    toml::table exercises;
    for (auto const& [name, exercise] : chapter.exercises) {
      exercises.insert_or_assign(name, toml::table{{"best_points", exercise.best_points},
                                                   {"total_points", exercise.total_points},
                                                   {"hint_level", exercise.hint_level},
                                                   {"passed", exercise.passed}});
    }
    toml::table entry{{"status", std::string(to_string(chapter.status))},
                      {"best_points", chapter.best_points},
                      {"total_points", chapter.total_points}};
    if (!chapter.last_check.empty()) entry.insert_or_assign("last_check", chapter.last_check);
    entry.insert_or_assign("exercises", std::move(exercises));
    chapters.insert_or_assign(id, std::move(entry));
  }
  toml::table root{{"chapters", std::move(chapters)}};
  std::ostringstream out;
  out << "# Your progress through the workbook, kept by scripts/workbook. Deleting this file\n"
         "# forgets scores and hint levels; it never touches your code.\n\n"
      << root << "\n";
  return out.str();
}

Progress parse_progress(std::string_view text, std::string const& source) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (toml::parse_error const& error) {
    throw ProgressError(
        fmt::format("{}:{}: {}", source, error.source().begin.line, error.description()));
  }
  Progress progress;
  auto const* chapters = root["chapters"].as_table();
  if (chapters == nullptr) return progress;
  for (auto const& [id, node] : *chapters) {
    auto const* table = node.as_table();
    if (table == nullptr) continue;
    toml::node_view<toml::node const> entry(table);
    ChapterProgress chapter;
    chapter.status = status_from(entry["status"].value_or<std::string>(""));
    chapter.best_points = integer(entry["best_points"], 0);
    chapter.total_points = integer(entry["total_points"], 0);
    chapter.last_check = entry["last_check"].value_or<std::string>("");
    if (auto const* exercises = entry["exercises"].as_table()) {
      for (auto const& [name, exercise_node] : *exercises) {
        toml::node_view<toml::node const> item(exercise_node);
        ExerciseProgress exercise;
        exercise.best_points = integer(item["best_points"], 0);
        exercise.total_points = integer(item["total_points"], 0);
        exercise.hint_level = std::clamp(integer(item["hint_level"], 1), 1, 3);
        exercise.passed = item["passed"].value_or(false);
        chapter.exercises.emplace(std::string(name.str()), exercise);
      }
    }
    progress.chapters.emplace(std::string(id.str()), std::move(chapter));
  }
  return progress;
}

Progress ProgressStore::load() const {
  std::error_code error;
  if (!fs::exists(file_, error)) return {};
  auto const text = read_file(file_);
  if (!text) throw ProgressError(fmt::format("{}: cannot be read", file_.string()));
  return parse_progress(*text, file_.string());
}

void ProgressStore::save(Progress const& progress) const {
  auto const dir = file_.parent_path();
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) throw ProgressError(fmt::format("{}: {}", dir.string(), error.message()));
  try {
    write_file_atomically(file_, format_progress(progress));
  } catch (fs::filesystem_error const& failure) {
    throw ProgressError(fmt::format("{}: {}", file_.string(), failure.code().message()));
  }
}

fs::path ProgressStore::set_aside() const {
  auto aside = file_;
  aside += ".unreadable-" + file_timestamp();
  std::error_code error;
  fs::rename(file_, aside, error);
  return error ? fs::path{} : aside;
}

}  // namespace wb::course
