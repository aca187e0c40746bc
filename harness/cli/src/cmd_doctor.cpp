// `workbook doctor`: what the workbook needs and whether it is there — compilers, build tools,
// libraries, the build tree, the progress file — one line each, with the command that fixes it.
#include <fmt/core.h>

#include <charconv>
#include <memory>
#include <regex>
#include <system_error>

#include "wb/cli/command_spec.hpp"
#include "wb/cli/commands.hpp"
#include "wb/cli/pristine.hpp"
#include "wb/course/files.hpp"
#include "wb/run/build.hpp"
#include "wb/run/process.hpp"
#include "wb/text/text.hpp"

namespace wb::cli {
using namespace wb::run;
using run::run_command;  // cli::run_command(), the `run` command's spec, would hide it
using namespace wb::text;
namespace fs = std::filesystem;

namespace {

struct Line {
  bool ok;
  bool required;
  std::string what;
  std::string detail;
  std::string fix;  // what to do: on a line that is not ok, the fix; on one that is, a tip
};

/// The leading "12.2.0"-like version in `text` as numbers, if any.
std::vector<int> version_in(std::string_view text) {
  static std::regex const pattern(R"((\d+)\.(\d+)(?:\.(\d+))?)");
  std::string const copy(text);
  std::smatch match;
  if (!std::regex_search(copy, match, pattern)) return {};
  std::vector<int> parts;
  for (std::size_t i = 1; i < match.size(); ++i) {
    if (match[i].matched) parts.push_back(std::stoi(match[i].str()));
  }
  return parts;
}

std::string joined(std::vector<int> const& version) {
  std::string text;
  for (std::size_t i = 0; i < version.size(); ++i)
    text += (i ? "." : "") + std::to_string(version[i]);
  return text;
}

std::optional<std::string> tool_version(std::string const& program, std::string const& flag) {
  if (!find_in_path(program)) return std::nullopt;
  auto result = run_command({program, flag});
  if (!result.started) return std::nullopt;
  return result.output;
}

Line compiler_line(std::string const& program, int minimum, std::string const& package) {
  auto output = tool_version(program, "--version");
  if (!output) {
    return {false, false, program, "not installed",
            fmt::format("sudo apt-get install {}", package)};
  }
  auto const first_line = split_lines(*output).empty() ? "" : split_lines(*output).front();
  auto version = version_in(program.starts_with("g++")
                                ? trim(run_command({program, "-dumpfullversion"}).output)
                                : std::string_view(first_line));
  bool const ok = !version.empty() && version[0] >= minimum;
  return {ok, false, program,
          ok ? joined(version) : fmt::format("{} (needs {} or newer)", joined(version), minimum),
          ok ? "" : fmt::format("sudo apt-get install {}", package)};
}

std::optional<fs::path> find_header(std::vector<std::string> const& candidates) {
  for (auto const* dir : {"/usr/include", "/usr/local/include"}) {
    for (auto const& candidate : candidates) {
      auto path = fs::path(dir) / candidate;
      std::error_code error;
      if (fs::exists(path, error)) return path;
    }
  }
  return std::nullopt;
}

/// The numbers #defined as `names` in `header`, joined with dots: "2.13.10".
std::string defined_version(fs::path const& header, std::vector<std::string> const& names) {
  auto const text = course::read_text_file(header);
  std::vector<std::string> parts;
  for (auto const& name : names) {
    std::regex const pattern("#define\\s+" + name + "\\s+\"?([0-9.]+)");
    std::smatch match;
    if (std::regex_search(text, match, pattern)) parts.push_back(match[1].str());
  }
  std::string version;
  for (std::size_t i = 0; i < parts.size(); ++i) version += (i ? "." : "") + parts[i];
  return version;
}

Line library_line(std::string const& what, std::vector<std::string> const& headers,
                  std::vector<std::string> const& version_macros, std::string const& package) {
  auto header = find_header(headers);
  if (!header) {
    return {false, true, what, "not found", fmt::format("sudo apt-get install {}", package)};
  }
  // A version header may sit beside the main one.
  auto version = defined_version(*header, version_macros);
  return {true, true, what, version.empty() ? header->string() : version, ""};
}

/// The Catch2 found at `config_dir` (a CMake package folder) with its version; not ok when
/// there is none.
Line built_with_catch2(std::string const& config_dir) {
  if (config_dir.empty()) return {false, true, "Catch2", "", ""};
  auto const version_file = fs::path(config_dir) / "Catch2ConfigVersion.cmake";
  std::error_code error;
  if (!fs::exists(version_file, error)) return {false, true, "Catch2", "", ""};
  static std::regex const pattern(R"re(set\(PACKAGE_VERSION "([0-9.]+)"\))re");
  std::smatch match;
  auto const text = course::read_text_file(version_file);
  if (!std::regex_search(text, match, pattern)) return {false, true, "Catch2", "", ""};
  return {true, true, "Catch2", fmt::format("{} (the build's, {})", match[1].str(), config_dir),
          ""};
}

}  // namespace

int run_doctor(Session const& session) {
  auto const& term = session.term;
  auto const& paths = session.paths;
  std::vector<Line> lines;

  // Where the default g++ is too old (Ubuntu 22.04: 11), scripts/setup builds with a g++-N beside
  // it.
  auto gcc = compiler_line("g++", 12, "g++-12");
  for (int major = 20; !gcc.ok && major >= 12; --major) {
    auto const versioned = "g++-" + std::to_string(major);
    if (find_in_path(versioned)) gcc = compiler_line(versioned, 12, "g++-12");
  }
  auto clang = compiler_line("clang++", 14, "clang");
  bool const have_compiler = gcc.ok || clang.ok;
  gcc.required = !clang.ok;
  clang.required = false;
  lines.push_back(gcc);
  lines.push_back(clang);

  if (auto cmake = tool_version("cmake", "--version")) {
    auto version = version_in(*cmake);
    bool const ok =
        version.size() >= 2 && (version[0] > 3 || (version[0] == 3 && version[1] >= 22));
    lines.push_back({ok, true, "cmake",
                     ok ? joined(version) : joined(version) + " (needs 3.22 or newer)",
                     ok ? "" : "sudo apt-get install cmake  (Debian 12 has 3.25)"});
  } else {
    lines.push_back({false, true, "cmake", "not installed", "sudo apt-get install cmake"});
  }
  if (auto ninja = tool_version("ninja", "--version")) {
    lines.push_back({true, true, "ninja", std::string(trim(*ninja)), ""});
  } else {
    lines.push_back({false, true, "ninja", "not installed", "sudo apt-get install ninja-build"});
  }
  if (auto lld = tool_version("ld.lld", "--version")) {
    lines.push_back(
        {true, false, "lld", joined(version_in(*lld)) + " (links each check faster)", ""});
  } else {
    lines.push_back({false, false, "lld", "not installed (optional: links each check faster)",
                     "sudo apt-get install lld"});
  }
  if (auto git = tool_version("git", "--version")) {
    lines.push_back({true, true, "git", joined(version_in(*git)), ""});
  } else {
    lines.push_back(
        {false, true, "git", "not installed (reset needs it)", "sudo apt-get install git"});
  }

  std::error_code error;
  bool const configured = fs::exists(paths.build_dir / "CMakeCache.txt", error);

  // The Catch2 the build tree was configured with, where there is one: it may be another than the
  // system's (CMAKE_PREFIX_PATH, Catch2_DIR).
  auto catch2 = built_with_catch2(cmake_cache_value(paths.build_dir, "Catch2_DIR"));
  if (!catch2.ok) {
    catch2 = library_line("Catch2", {"catch2/catch.hpp", "catch2/catch_version_macros.hpp"},
                          {"CATCH_VERSION_MAJOR", "CATCH_VERSION_MINOR", "CATCH_VERSION_PATCH"},
                          "catch2");
  }
  if (catch2.ok && !catch2.detail.empty() && catch2.detail.front() != '2' &&
      catch2.detail.front() != '3') {
    catch2.detail += " (unexpected version)";
  }
  lines.push_back(catch2);
  lines.push_back(library_line("fmt", {"fmt/core.h"}, {"FMT_VERSION"}, "libfmt-dev"));
  lines.push_back(
      library_line("CLI11", {"CLI/Version.hpp", "CLI/CLI.hpp"}, {"CLI11_VERSION"}, "libcli11-dev"));
  lines.push_back(library_line("toml++", {"toml++/impl/version.h", "toml++/toml.h"},
                               {"TOML_LIB_MAJOR", "TOML_LIB_MINOR", "TOML_LIB_PATCH"},
                               "libtomlplusplus-dev"));
  // fmt writes its version as one number: 90100 is 9.1.0
  for (auto& line : lines) {
    if (line.what == "fmt" && line.ok) {
      int number = 0;
      auto const& text = line.detail;
      if (std::from_chars(text.data(), text.data() + text.size(), number).ec == std::errc()) {
        line.detail = fmt::format("{}.{}.{}", number / 10000, number / 100 % 100, number % 100);
      }
    }
  }

  if (fs::exists(paths.build_dir / "build.ninja", error) && configured) {
    auto const type = cmake_cache_value(paths.build_dir, "CMAKE_BUILD_TYPE");
    auto const sanitizers = cmake_cache_value(paths.build_dir, "WB_SANITIZERS");
    auto const compiler = cmake_cache_value(paths.build_dir, "CMAKE_CXX_COMPILER");
    // A tree keeps the compiler it was configured with: one made with g++ before clang was
    // installed goes on with g++, which compiles a test file in about three times clang's time.
    bool const slower_compiler = clang.ok && compiler.find("clang") == std::string::npos &&
                                 compiler.find("g++") != std::string::npos;
    lines.push_back(
        {true, true, "build tree",
         fmt::format("{} ({}{}{})", paths.shown(paths.build_dir).string(),
                     type.empty() ? "no build type" : type,
                     sanitizers.empty() ? "" : ", sanitizers " + sanitizers,
                     compiler.empty() ? "" : ", " + compiler),
         slower_compiler
             ? fmt::format("clang++ compiles the tests about three times as fast; rm -rf {} "
                           "and the next command configures the tree with it",
                           paths.shown(paths.build_dir).string())
             : ""});
  } else {
    lines.push_back({false, true, "build tree",
                     fmt::format("{} is not configured", paths.shown(paths.build_dir).string()),
                     "scripts/workbook list   (configures it)"});
  }

  auto const progress_file = paths.progress_file();
  if (!fs::exists(progress_file, error)) {
    lines.push_back(
        {true, false, "progress file",
         fmt::format("{} (written by the first check)", paths.shown(progress_file).string()), ""});
  } else {
    try {
      auto const progress = course::ProgressStore(progress_file).load();
      lines.push_back(
          {true, false, "progress file",
           fmt::format("{} ({} chapter{} recorded)", paths.shown(progress_file).string(),
                       progress.chapters.size(), progress.chapters.size() == 1 ? "" : "s"),
           ""});
    } catch (course::ProgressError const& problem) {
      lines.push_back({false, true, "progress file", problem.what(),
                       fmt::format("rm {}   (forgets scores and hint levels, not your code)",
                                   paths.shown(progress_file).string())});
    }
  }

  bool healthy = have_compiler;
  for (auto const& line : lines) {
    bool const counts = line.required || line.ok;
    auto const mark = line.ok ? term.green("✓") : (line.required ? term.red("✗") : term.dim("–"));
    fmt::print("{} {:<14} {}\n", mark, line.what, counts ? line.detail : term.dim(line.detail));
    if (!line.fix.empty())
      fmt::print("  {:<14} {}\n", "", term.cyan((line.ok ? "tip: " : "fix: ") + line.fix));
    if (line.required && !line.ok) healthy = false;
  }
  fmt::print("\n{}\n", healthy ? term.green("Everything the workbook needs is here.")
                               : term.red("Something the workbook needs is missing: see the fixes "
                                          "above (scripts/setup installs them all as root)."));
  return healthy ? exit_ok : exit_failed;
}

CommandSpec doctor_command() {
  return {"doctor", "What the workbook needs, and whether it is there",        {}, {},
          {},       [](Session const& session) { return run_doctor(session); }};
}

}  // namespace wb::cli
