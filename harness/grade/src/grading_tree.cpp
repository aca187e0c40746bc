#include "wb/grade/grading_tree.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <set>
#include <system_error>

#include "wb/grade/sha256.hpp"
#include "wb/run/process.hpp"
#include "wb/text/text.hpp"

namespace wb::grade {
using namespace wb::run;   // processes
using namespace wb::text;  // text helpers
namespace fs = std::filesystem;

std::vector<std::string> split_shell_words(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char const c = line[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\\' && i + 1 < line.size()) {
      word += line[++i];
    } else if (c == '\'') {
      auto const end = line.find('\'', i + 1);
      word +=
          line.substr(i + 1, end == std::string_view::npos ? std::string_view::npos : end - i - 1);
      i = end == std::string_view::npos ? line.size() : end;
    } else if (c == '"') {
      for (++i; i < line.size() && line[i] != '"'; ++i) {
        // inside double quotes a backslash escapes only these
        if (line[i] == '\\' && i + 1 < line.size() &&
            std::string_view("\"\\$`").find(line[i + 1]) != std::string_view::npos) {
          ++i;
        }
        word += line[i];
      }
    } else {
      word += c;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

namespace {

// The words of one command in a line ninja prints: ": && c++ … && :" gives "c++ …".
std::vector<std::string> command_words(std::string_view line) {
  auto words = split_shell_words(line);
  auto first = words.begin();
  if (first != words.end() && *first == ":")
    first += std::min<std::ptrdiff_t>(2, words.end() - first);
  auto last = std::find(first, words.end(), "&&");
  return {first, last};
}

std::optional<std::size_t> index_after(std::vector<std::string> const& words,
                                       std::string_view flag) {
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    if (words[i] == flag) return i + 1;
  }
  return std::nullopt;
}

// Removes a flag and its value ("-MF file"), wherever it is.
void drop_flag(std::vector<std::string>& words, std::string_view flag, bool with_value) {
  for (std::size_t i = 0; i < words.size();) {
    if (words[i] == flag) {
      words.erase(words.begin() + static_cast<std::ptrdiff_t>(i),
                  words.begin() + static_cast<std::ptrdiff_t>(
                                      std::min(words.size(), i + (with_value ? 2 : 1))));
    } else {
      ++i;
    }
  }
}

std::string file_stamp(fs::path const& file) {
  std::error_code error;
  auto const size = fs::file_size(file, error);
  auto const time = fs::last_write_time(file, error).time_since_epoch().count();
  return fmt::format("{}:{}:{}", file.string(), error ? 0 : size, error ? 0 : time);
}

}  // namespace

std::vector<std::string> GradingTree::compile_command(std::string const& target,
                                                      fs::path const& overlay,
                                                      fs::path const& object) const {
  auto const& commands = exercises.at(target);
  std::vector<std::string> words;
  auto const include = "-I" + commands.chapter_dir.string();
  for (auto const& word : commands.compile) {
    if (word == include) words.push_back("-I" + overlay.string());
    words.push_back(word);
  }
  if (auto at = index_after(words, "-o")) words[*at] = object.string();
  // Learners see plain diagnostics; the first error is read from them.
  words.insert(words.begin() + 1, "-fdiagnostics-color=never");
  return words;
}

std::vector<std::string> GradingTree::link_command(std::string const& target,
                                                   fs::path const& object,
                                                   fs::path const& program) const {
  std::vector<std::string> words;
  for (auto const& word : exercises.at(target).link) {
    if (word.ends_with(".o") && !word.starts_with("-")) {
      if (!main_object.empty()) words.push_back(main_object.string());
      for (auto const& framework : framework_objects) words.push_back(framework.string());
      words.push_back(object.string());
    } else {
      words.push_back(word);
    }
  }
  if (auto at = index_after(words, "-o")) words[*at] = program.string();
  return words;
}

std::optional<GradingTree> read_grading_tree(fs::path const& build_dir, fs::path const& root,
                                             std::vector<std::string> const& targets,
                                             std::string& error) {
  GradingTree tree;
  tree.build_dir = build_dir;
  std::error_code io;
  if (!fs::exists(build_dir / "build.ninja", io)) {
    error =
        fmt::format("{} is not a build tree made with Ninja (no build.ninja)", build_dir.string());
    return std::nullopt;
  }
  Sha256 fingerprint;
  std::set<std::string> shared;
  for (auto const& target : targets) {
    auto const result =
        run_command({"ninja", "-C", build_dir.string(), "-t", "commands", target}, {}, 16u << 20);
    if (!result.success()) {
      error = fmt::format("ninja does not know how to build {}: {}", target,
                          std::string(trim(result.output)).substr(0, 300));
      return std::nullopt;
    }
    ExerciseCommands commands;
    auto const program_suffix = "/" + target;
    for (auto const& line : split_lines(result.output)) {
      auto words = command_words(line);
      if (words.empty()) continue;
      auto const output = index_after(words, "-o");
      if (!output) continue;
      auto const& out = words[*output];
      if (out.find("/" + target + ".dir/") != std::string::npos && index_after(words, "-c")) {
        drop_flag(words, "-MD", false);
        drop_flag(words, "-MT", true);
        drop_flag(words, "-MF", true);
        commands.test_file = words[*index_after(words, "-c")];
        commands.compile = std::move(words);
      } else if (out == target || out.ends_with(program_suffix)) {
        commands.link = std::move(words);
      }
    }
    if (commands.compile.empty() || commands.link.empty()) {
      error = fmt::format("could not find how {} is compiled and linked in {}", target,
                          build_dir.string());
      return std::nullopt;
    }
    commands.chapter_dir = commands.test_file.parent_path();
    for (auto const& word : commands.compile) {
      if (word.starts_with("-fsanitize=") && contains(word, "address")) {
        tree.address_sanitizer = true;
      }
      if (word.starts_with("-I")) shared.insert(word.substr(2));
    }
    for (std::size_t i = 0; i + 1 < commands.compile.size(); ++i) {
      if (commands.compile[i] == "-include") {
        auto const header = fs::path(commands.compile[i + 1]);
        shared.insert(header.parent_path().string());
        fingerprint.field(file_stamp(header.string() + ".gch"));
      }
    }
    for (auto const& word : commands.link) {
      if (word.ends_with(".a") || word.ends_with(".so") || contains(word, ".so.")) {
        auto const library = fs::path(word).is_absolute() ? fs::path(word) : build_dir / word;
        fingerprint.field(file_stamp(library));
        if (fs::path(word).is_relative()) shared.insert(library.parent_path().string());
      }
    }
    for (auto const& word : commands.compile) fingerprint.field(word);
    for (auto const& word : commands.link) fingerprint.field(word);
    tree.exercises.emplace(target, std::move(commands));
  }
  // The test main's object, and every object of the framework's own libraries, out of their
  // libraries (see main_object and framework_objects), redone when a library changes.
  auto const& some_link =
      tree.exercises.empty() ? std::vector<std::string>{} : tree.exercises.begin()->second.link;
  struct LinkedFirst {
    std::string_view library;
    std::string_view member;  // empty: all of them
  };
  LinkedFirst const linked_first[] = {
      {"libwb_test_main.a", "catch_main"}, {"libwb_result_line.a", ""}, {"libwb_oracles.a", ""}};
  for (auto const& word : some_link) {
    for (auto const& wanted : linked_first) {
      if (!word.ends_with("/" + std::string(wanted.library)) && word != wanted.library) continue;
      auto const library = fs::path(word).is_absolute() ? fs::path(word) : build_dir / word;
      auto const dir = build_dir / "grading" / "link-first";
      fs::create_directories(dir, io);
      auto const members = run_command({"ar", "t", library.string()});
      for (auto const& member : split_lines(members.output)) {
        if (trim(member).empty() || !contains(member, wanted.member)) continue;
        auto const extracted = dir / member;
        if (!fs::exists(extracted, io) ||
            fs::last_write_time(extracted, io) < fs::last_write_time(library, io)) {
          run_command({"ar", "x", library.string(), member}, dir);
          fs::last_write_time(extracted, fs::file_time_type::clock::now(), io);
        }
        if (!fs::exists(extracted, io)) continue;
        shared.insert(dir.string());
        if (!wanted.member.empty()) {
          tree.main_object = extracted;
        } else {
          tree.framework_objects.push_back(extracted);
        }
      }
    }
  }
  // The chapters (tests and the stubs a missing file falls back to) and the runtime headers the
  // ch04 snippets are compiled against at run time; never solutions/ or the mutants.
  shared.insert((root / "chapters").string());
  shared.insert((root / "harness" / "runtime").string());
  std::vector<fs::path> paths;
  for (auto const& path : shared) {
    if (!path.empty() && fs::exists(path, io)) paths.emplace_back(path);
  }
  // A folder inside another one already listed needs no mount of its own.
  for (auto const& path : paths) {
    bool covered = false;
    for (auto const& other : paths) {
      auto const relative = path.lexically_relative(other);
      covered = covered || (other != path && !relative.empty() && *relative.begin() != "..");
    }
    if (!covered) tree.shared_paths.push_back(path);
  }
  tree.fingerprint = fingerprint.hex();
  return tree;
}

}  // namespace wb::grade
