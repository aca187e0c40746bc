#include "wb/course/manifest.hpp"

#include <fmt/core.h>
#include <toml++/toml.h>

#include <algorithm>

#include "wb/course/files.hpp"

namespace wb::course {
namespace fs = std::filesystem;

ManifestError::ManifestError(fs::path file, int line, std::string const& problem)
    : std::runtime_error(line > 0 ? fmt::format("{}:{}: {}", file.string(), line, problem)
                                  : fmt::format("{}: {}", file.string(), problem)),
      file_(std::move(file)),
      line_(line),
      problem_(problem) {}

int ExerciseManifest::total_points() const {
  int total = 0;
  for (auto const& test : tests) total += test.points;
  return total;
}

TestPoints const* ExerciseManifest::test(std::string_view test_name) const {
  for (auto const& entry : tests) {
    if (entry.name == test_name) return &entry;
  }
  return nullptr;
}

std::optional<std::string> ExerciseManifest::hint_for(std::string_view test_name) const {
  for (auto const& entry : test_hints) {
    if (entry.test == test_name) return entry.hint;
  }
  return std::nullopt;
}

std::string ExerciseManifest::hint_at(int level) const {
  if (hints.empty()) return {};
  auto index = static_cast<std::size_t>(std::clamp(level, 1, static_cast<int>(hints.size())) - 1);
  return hints[index];
}

std::vector<std::string> ExerciseManifest::test_names() const {
  std::vector<std::string> names;
  for (auto const& entry : tests) names.push_back(entry.name);
  return names;
}

int ChapterManifest::total_points() const {
  int total = 0;
  for (auto const& exercise : exercises) total += exercise.total_points();
  return total;
}

ExerciseManifest const* ChapterManifest::exercise(std::string_view name) const {
  for (auto const& entry : exercises) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

std::string ChapterManifest::target(ExerciseManifest const& exercise,
                                    std::string_view suffix) const {
  return fmt::format("{}_{}{}", id, exercise.name, suffix);
}

namespace {

class Reader {
 public:
  Reader(fs::path source, Exercises exercises)
      : source_(std::move(source)), exercises_(exercises) {}

  [[noreturn]] void fail(toml::node const* node, std::string const& problem) const {
    int const line =
        node != nullptr && node->source().begin ? static_cast<int>(node->source().begin.line) : 0;
    throw ManifestError(source_, line, problem);
  }

  std::string string(toml::node const* node, std::string_view what) const {
    if (node == nullptr) fail(nullptr, fmt::format("`{}` is missing", what));
    if (!node->is_string()) fail(node, fmt::format("`{}` must be a string", what));
    return node->as_string()->get();
  }

  std::vector<std::string> strings(toml::node const* node, std::string_view what) const {
    std::vector<std::string> out;
    if (node == nullptr) return out;
    auto const* array = node->as_array();
    if (array == nullptr) fail(node, fmt::format("`{}` must be an array of strings", what));
    for (auto const& item : *array) out.push_back(string(&item, what));
    return out;
  }

  // toml++ keeps a table's keys sorted; authors list tests in the order they wrote them, so
  // restore that order from where each key stands in the file.
  template <class Visit>
  void in_file_order(toml::table const& table, Visit visit) const {
    std::vector<std::pair<std::string, toml::node const*>> entries;
    for (auto const& [key, value] : table) entries.emplace_back(std::string(key.str()), &value);
    std::stable_sort(entries.begin(), entries.end(), [](auto const& a, auto const& b) {
      return a.second->source().begin.line < b.second->source().begin.line;
    });
    for (auto const& [key, value] : entries) visit(key, *value);
  }

  ExerciseManifest exercise(toml::table const& table) const {
    ExerciseManifest out;
    out.name = string(table.get("name"), "exercises.name");
    bool const identifier =
        !out.name.empty() && std::all_of(out.name.begin(), out.name.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        });
    if (!identifier) {
      fail(table.get("name"),
           fmt::format("exercise name \"{}\" must be lower_case_with_underscores "
                       "(it names the test file and the build target)",
                       out.name));
    }
    out.title =
        table.get("title") != nullptr ? string(table.get("title"), "exercises.title") : out.name;
    out.files = strings(table.get("files"), "exercises.files");
    if (out.files.empty()) out.files.push_back(out.name + ".hpp");
    out.hints = strings(table.get("hints"), "exercises.hints");
    if (auto const* threads = table.get("threads"); threads != nullptr) {
      if (!threads->is_boolean()) fail(threads, "`exercises.threads` must be true or false");
      out.threads = threads->as_boolean()->get();
    }
    if (auto const* tests = table.get("tests"); tests != nullptr) {
      if (!tests->is_table())
        fail(tests, "`exercises.tests` must be a table of test name = points");
      in_file_order(*tests->as_table(), [&](std::string const& name, toml::node const& points) {
        if (!points.is_integer() || points.as_integer()->get() < 0) {
          fail(&points, fmt::format("points of \"{}\" must be a whole number, 0 or more", name));
        }
        out.tests.push_back({name, static_cast<int>(points.as_integer()->get())});
      });
    }
    if (auto const* hints = table.get("test_hints"); hints != nullptr) {
      if (!hints->is_table())
        fail(hints, "`exercises.test_hints` must be a table of test name = hint");
      in_file_order(*hints->as_table(), [&](std::string const& name, toml::node const& hint) {
        out.test_hints.push_back({name, string(&hint, "exercises.test_hints")});
      });
    }
    return out;
  }

  ChapterManifest chapter(toml::table const& root, fs::path const& dir) const {
    ChapterManifest out;
    static_cast<ChapterDir&>(out) = ChapterDir::of_folder(dir);
    out.title = string(root.get("title"), "title");
    if (root.get("summary") != nullptr) out.summary = string(root.get("summary"), "summary");
    if (auto const* limit = root.get("time_limit_seconds"); limit != nullptr) {
      if (!limit->is_integer() || limit->as_integer()->get() <= 0) {
        fail(limit, "`time_limit_seconds` must be a whole number of seconds, more than 0");
      }
      out.time_limit = std::chrono::seconds(limit->as_integer()->get());
    }
    auto const* exercises = root.get("exercises");
    if (exercises == nullptr) {
      if (exercises_ == Exercises::optional) return out;
      fail(nullptr, "no [[exercises]]");
    }
    if (!exercises->is_array_of_tables())
      fail(exercises, "`exercises` must be [[exercises]] tables");
    for (auto const& item : *exercises->as_array()) {
      out.exercises.push_back(exercise(*item.as_table()));
      for (std::size_t i = 0; i + 1 < out.exercises.size(); ++i) {
        if (out.exercises[i].name == out.exercises.back().name) {
          fail(&item, fmt::format("exercise \"{}\" is listed twice", out.exercises.back().name));
        }
      }
    }
    return out;
  }

 private:
  fs::path source_;
  Exercises exercises_;
};

}  // namespace

ChapterManifest parse_chapter(std::string_view toml_text, fs::path const& dir,
                              Exercises exercises) {
  auto const source = dir / "chapter.toml";
  Reader reader(source, exercises);
  try {
    auto root = toml::parse(toml_text, source.string());
    return reader.chapter(root, dir);
  } catch (toml::parse_error const& error) {
    throw ManifestError(source, static_cast<int>(error.source().begin.line),
                        std::string(error.description()));
  }
}

ChapterManifest load_chapter(fs::path const& dir, Exercises exercises) {
  auto const text = read_file(dir / "chapter.toml");
  if (!text) throw ManifestError(dir / "chapter.toml", 0, "cannot be read");
  return parse_chapter(*text, dir, exercises);
}

}  // namespace wb::course
