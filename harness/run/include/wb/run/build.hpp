// Building targets of the workbook's own build tree with `cmake --build`, keeping going past a
// broken target (ninja -k 0) so one exercise that does not compile hides none of the others,
// with the full output in a log file and each failed step tied to the target it belongs to.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "wb/run/compiler_log.hpp"
#include "wb/run/process.hpp"

namespace wb::run {

struct BuildRequest {
  std::filesystem::path build_dir;
  std::vector<std::string> targets;
  std::filesystem::path log_file;  // replaced by this build's output
};

struct BuildOutcome {
  bool success = false;
  std::string error;  // the build could not even be attempted (no cmake, no tree)
  ExitStatus status;
  std::filesystem::path log_file;
  std::string log;                   // the log's text
  std::vector<FailedStep> failures;  // the steps that failed, in order

  /// The steps that failed while building `target` (compiling its sources or linking it).
  std::vector<FailedStep const*> failures_of(std::string_view target) const;
  /// Steps that failed in something the requested targets share (the precompiled header, the
  /// test main): every target is broken by them.
  std::vector<FailedStep const*> shared_failures(std::vector<std::string> const& targets) const;
  /// Whether `target` was built: the build succeeded, or nothing it needs failed.
  bool built(std::string_view target, std::vector<std::string> const& targets) const;
  /// The build stopped before compiling anything: cmake could not re-configure, a target is
  /// unknown, build.ninja is missing.
  bool setup_failed() const { return !success && failures.empty(); }
};

BuildOutcome build_targets(BuildRequest const& request);

/// The value of `name` in the CMakeCache.txt of `build_dir` (its line "NAME:TYPE=value"); empty
/// when the tree or the entry is missing.
std::string cmake_cache_value(std::filesystem::path const& build_dir, std::string_view name);

/// A CMake boolean of that cache: false for OFF, FALSE, NO, N, 0 and IGNORE (any case), true for
/// any other value; `otherwise` when the entry is missing or empty.
bool cmake_cache_flag(std::filesystem::path const& build_dir, std::string_view name,
                      bool otherwise);

/// Whether a ninja step's outputs belong to `target` ("…/CMakeFiles/<target>.dir/…" or the
/// linked program "…/<target>").
bool step_belongs_to(FailedStep const& step, std::string_view target);

}  // namespace wb::run
