// A learner's submission for `workbook grade`: a folder, a .tar.gz (.tgz, .tar) or a .zip,
// unpacked with bsdtar (libarchive) inside the sandbox, refusing archives whose entries leave the
// submission (absolute paths, ".."). Only the files chapter.toml says a learner edits are taken —
// found at chapters/<slug>/<file>, <slug>/<file>, or by a name no other chapter uses — and only
// regular files: a link is ignored, whatever it points at. A folder is walked and read through
// descriptors, never by path: no step follows a link, so swapping a folder of it for a link while
// it is graded reads nothing outside. Tests, harness and manifests always come from the
// instructor's tree, so a submitted test file changes nothing.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "wb/grade/sandbox.hpp"

namespace wb::grade {

/// A file a learner edits: chapters/<slug>/<file>.
struct WantedFile {
  std::string slug;  // "ch02-future-concept"
  std::string file;  // "countdown.hpp"
};

struct SubmissionFiles {
  std::string name;  // the folder's or archive's name without its extension
  std::filesystem::path source;
  std::string error;  // the submission could not be read at all (an unsafe archive, …)
  /// The files found, by chapter slug and file name: their content.
  std::map<std::string, std::map<std::string, std::string>> files;
  std::vector<std::string> notes;  // files ignored and why

  std::string const* find(std::string const& slug, std::string const& file) const;
};

/// The name a submission is listed under: "alice" for alice/, alice.zip or alice.tar.gz.
std::string submission_name(std::filesystem::path const& path);

/// The largest learner file taken (bigger ones are refused: a header is not that long).
inline constexpr std::size_t max_submitted_file_bytes = 1u << 20;

/// The longest list of entries an archive may have (bsdtar -t's output); a longer one is refused
/// whole rather than checked in part.
inline constexpr std::size_t max_archive_listing_bytes = 4u << 20;

/// Reads the files in `wanted` from a submission; archives are unpacked under `scratch` by
/// worker `worker`'s sandbox. `after_listing`, for tests, runs between walking the folder and
/// reading the files found (where a swap made while grading would fall).
SubmissionFiles read_submission(std::filesystem::path const& path,
                                std::vector<WantedFile> const& wanted,
                                std::filesystem::path const& scratch, SandboxSetup const& sandbox,
                                int worker = 0, std::function<void()> const& after_listing = {});

/// Opens `relative` beneath the folder open as `dir` without following a link at any step
/// (openat2 with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, or O_NOFOLLOW one component at a time
/// on older kernels); -1 and `problem` in words when it cannot.
int open_beneath(int dir, std::filesystem::path const& relative, int flags, std::string& problem);
/// open_beneath's way on kernels without openat2: O_NOFOLLOW at each component.
int open_beneath_step_by_step(int dir, std::filesystem::path const& relative, int flags,
                              std::string& problem);

/// The content of the regular file `relative` beneath `dir`: a link anywhere on the way, a
/// device, a FIFO, a hard link or a file over max_submitted_file_bytes gives nothing and
/// `problem` in words. Its type is checked on an O_PATH descriptor before it is opened for
/// reading.
std::optional<std::string> read_file_beneath(int dir, std::filesystem::path const& relative,
                                             std::string& problem);

/// An archive entry's name that leaves the folder it is unpacked in (absolute, or with a ".."
/// part).
bool leaves_submission(std::string_view entry);

}  // namespace wb::grade
