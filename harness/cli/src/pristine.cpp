#include "wb/cli/pristine.hpp"

#include <fmt/core.h>

#include "wb/course/progress.hpp"
#include "wb/run/process.hpp"
#include "wb/text/text.hpp"

namespace wb::cli {
using namespace wb::run;
using namespace wb::text;
namespace fs = std::filesystem;

std::variant<PristineVersion, PristineError> pristine_version(fs::path const& root,
                                                              fs::path const& file) {
  if (!find_in_path("git")) {
    return PristineError{
        "git is not installed, and the stubs' pristine versions come from git "
        "(sudo apt-get install git)"};
  }
  auto const relative = file.lexically_relative(root).generic_string();
  auto log = run_command({"git", "-C", root.string(), "log", "--format=%H", "--", relative});
  if (!log.success()) {
    return PristineError{
        fmt::format("git could not read the history of {}: {}", relative, trim(log.output))};
  }
  auto const commits = split_lines(log.output);
  if (commits.empty()) {
    return PristineError{
        fmt::format("git has no history of {} (is this a clone of the workbook?)", relative)};
  }
  for (auto const& commit : commits) {
    if (trim(commit).empty()) continue;
    auto shown = run_command(
        {"git", "-C", root.string(), "show", fmt::format("{}:{}", trim(commit), relative)});
    if (shown.success() && contains(shown.output, "WB_TODO")) {
      return PristineVersion{shown.output, std::string(trim(commit))};
    }
  }
  return PristineError{
      fmt::format("no commit has a version of {} with a WB_TODO in it to go back to", relative)};
}

fs::path back_up(fs::path const& file, fs::path const& backups) {
  fs::create_directories(backups);
  auto const stem = file.filename().string() + "." + course::file_timestamp();
  auto target = backups / stem;
  for (int n = 2; fs::exists(target); ++n) target = backups / fmt::format("{}-{}", stem, n);
  fs::copy_file(file, target);
  return target;
}

}  // namespace wb::cli
