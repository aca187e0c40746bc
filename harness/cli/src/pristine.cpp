#include "wb/cli/pristine.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include "wb/cli/process.hpp"
#include "wb/cli/progress.hpp"
#include "wb/cli/text.hpp"

namespace wb::cli {
namespace fs = std::filesystem;

std::string read_text_file(fs::path const& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

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
  auto const stem = file.filename().string() + "." + file_timestamp();
  auto target = backups / stem;
  for (int n = 2; fs::exists(target); ++n) target = backups / fmt::format("{}-{}", stem, n);
  fs::copy_file(file, target);
  return target;
}

void write_file_atomically(fs::path const& file, std::string const& content) {
  std::string temp = (file.parent_path() / ("." + file.filename().string() + ".XXXXXX")).string();
  int fd = ::mkstemp(temp.data());
  if (fd < 0) {
    throw fs::filesystem_error("cannot write next to it", file,
                               std::error_code(errno, std::generic_category()));
  }
  struct stat old {};
  mode_t const mode = ::stat(file.c_str(), &old) == 0 ? (old.st_mode & 07777) : 0644;
  std::string_view rest = content;
  bool ok = true;
  while (ok && !rest.empty()) {
    auto n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) rest.remove_prefix(static_cast<std::size_t>(n));
  }
  ok = ok && ::fchmod(fd, mode) == 0 && ::fsync(fd) == 0;
  int const saved = errno;
  ::close(fd);
  if (!ok || ::rename(temp.c_str(), file.c_str()) != 0) {
    int const error = ok ? errno : saved;
    ::unlink(temp.c_str());
    throw fs::filesystem_error("cannot replace it", file,
                               std::error_code(error, std::generic_category()));
  }
}

}  // namespace wb::cli
