// A learner's submission for `workbook grade`: a folder, a .tar.gz (.tgz, .tar) or a .zip,
// unpacked with bsdtar (libarchive) inside the sandbox, refusing archives whose entries leave the
// submission (absolute paths, ".."). Only the files chapter.toml says a learner edits are taken —
// found at chapters/<slug>/<file>, <slug>/<file>, or by a name no other chapter uses — and only
// regular files: a link is ignored, whatever it points at. Tests, harness and manifests always
// come from the instructor's tree, so a submitted test file changes nothing.
#pragma once

#include <filesystem>
#include <map>
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

/// Reads the files in `wanted` from a submission; archives are unpacked under `scratch` by
/// worker `worker`'s sandbox.
SubmissionFiles read_submission(std::filesystem::path const& path,
                                std::vector<WantedFile> const& wanted,
                                std::filesystem::path const& scratch, SandboxSetup const& sandbox,
                                int worker = 0);

/// An archive entry's name that leaves the folder it is unpacked in (absolute, or with a ".."
/// part).
bool leaves_submission(std::string_view entry);

}  // namespace wb::grade
