#include "wb/run/build.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <system_error>

#include "wb/course/files.hpp"
#include "wb/text/text.hpp"

namespace wb::run {
using namespace wb::text;
namespace fs = std::filesystem;

bool step_belongs_to(FailedStep const& step, std::string_view target) {
  auto const object_dir = fmt::format("CMakeFiles/{}.dir/", target);
  if (contains(step.outputs, object_dir)) return true;
  for (auto const& output : split_lines(step.outputs)) {
    // several outputs are separated by spaces
    std::string_view rest = output;
    while (!rest.empty()) {
      auto space = rest.find(' ');
      auto item = rest.substr(0, space);
      rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
      if (item == target || (item.ends_with(target) && item.size() > target.size() &&
                             item[item.size() - target.size() - 1] == '/')) {
        return true;
      }
    }
  }
  return false;
}

std::vector<FailedStep const*> BuildOutcome::failures_of(std::string_view target) const {
  std::vector<FailedStep const*> out;
  for (auto const& step : failures) {
    if (step_belongs_to(step, target)) out.push_back(&step);
  }
  return out;
}

std::vector<FailedStep const*> BuildOutcome::shared_failures(
    std::vector<std::string> const& targets) const {
  std::vector<FailedStep const*> out;
  for (auto const& step : failures) {
    bool owned = false;
    for (auto const& target : targets) owned = owned || step_belongs_to(step, target);
    if (!owned) out.push_back(&step);
  }
  return out;
}

bool BuildOutcome::built(std::string_view target, std::vector<std::string> const& targets) const {
  if (success) return true;
  if (setup_failed()) return false;
  return failures_of(target).empty() && shared_failures(targets).empty();
}

BuildOutcome build_targets(BuildRequest const& request) {
  BuildOutcome outcome;
  outcome.log_file = request.log_file;
  std::error_code error;
  if (!fs::exists(request.build_dir / "CMakeCache.txt", error)) {
    outcome.error = fmt::format("{} is not a configured build tree (no CMakeCache.txt)",
                                request.build_dir.string());
    return outcome;
  }
  fs::create_directories(request.log_file.parent_path(), error);

  // Two builds of one tree at once corrupt ninja's logs: a second check (another terminal, an
  // editor's hook) waits for the first. The lock goes with the descriptor.
  int const lock = ::open((request.build_dir / ".workbook-build.lock").c_str(),
                          O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock >= 0) {
    while (::flock(lock, LOCK_EX) != 0 && errno == EINTR) {
    }
  }
  struct Unlock {
    int fd;
    ~Unlock() {
      if (fd >= 0) ::close(fd);
    }
  } unlock{lock};

  std::vector<std::string> argv = {"cmake", "--build", request.build_dir.string(), "--target"};
  argv.insert(argv.end(), request.targets.begin(), request.targets.end());
  // Keep going after a failure, so that every broken exercise is reported, not only the first.
  argv.insert(argv.end(), {"--", "-k", "0"});
  auto result = run_command_to_file(argv, request.log_file);
  if (!result.started) {
    outcome.error = result.error;
    return outcome;
  }
  outcome.status = result.status;
  outcome.success = result.status.success();
  outcome.log = course::read_text_file(request.log_file);
  if (!outcome.success) outcome.failures = failed_steps(outcome.log);
  return outcome;
}

std::string cmake_cache_value(fs::path const& build_dir, std::string_view name) {
  std::ifstream cache(build_dir / "CMakeCache.txt");
  for (std::string line; std::getline(cache, line);) {
    // "NAME:TYPE=value"
    if (line.size() > name.size() && line.starts_with(name) && line[name.size()] == ':') {
      auto const equals = line.find('=', name.size());
      if (equals != std::string::npos) return line.substr(equals + 1);
    }
  }
  return {};
}

bool cmake_cache_flag(fs::path const& build_dir, std::string_view name, bool otherwise) {
  auto value = cmake_cache_value(build_dir, name);
  if (value.empty()) return otherwise;
  std::transform(value.begin(), value.end(), value.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return !(value == "OFF" || value == "FALSE" || value == "NO" || value == "N" || value == "0" ||
           value == "IGNORE" || value.ends_with("-NOTFOUND"));
}

}  // namespace wb::run
