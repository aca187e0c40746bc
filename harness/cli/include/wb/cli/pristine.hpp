// The pristine version of a learner's file — the stub as the workbook shipped it — taken from
// git: the newest commit whose version of the file still holds a WB_TODO. And the backup copy
// made before a learner's file is replaced (wb/course/files.hpp replaces it).
#pragma once

#include <filesystem>
#include <string>
#include <variant>

namespace wb::cli {

struct PristineVersion {
  std::string content;
  std::string commit;  // where it was found
};

struct PristineError {
  std::string message;
};

/// The stub of `file` (a path inside the repository at `root`) according to git.
std::variant<PristineVersion, PristineError> pristine_version(std::filesystem::path const& root,
                                                              std::filesystem::path const& file);

/// Copies `file` to <backups>/<file name>.<timestamp> (a number is added if that exists already)
/// and returns the copy's path; throws std::filesystem::filesystem_error when it cannot.
std::filesystem::path back_up(std::filesystem::path const& file,
                              std::filesystem::path const& backups);

}  // namespace wb::cli
