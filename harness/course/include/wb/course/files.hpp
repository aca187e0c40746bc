// Reading a file whole and replacing one safely: what the progress store, `reset`, the grade
// cache and the book all need.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace wb::course {

/// The file's bytes, or nothing when it cannot be opened.
std::optional<std::string> read_file(std::filesystem::path const& file);

/// The file's bytes, or "" when it cannot be read (for files that are there in all but error
/// cases, such as a log the build just wrote).
std::string read_text_file(std::filesystem::path const& file);

/// Writes `content` to `file`, replacing what it held, and creates the folders it needs. Throws
/// std::filesystem::filesystem_error. (For files nobody reads while they are written: build
/// outputs. What must survive a crash goes through write_file_atomically.)
void write_file(std::filesystem::path const& file, std::string_view content);

/// Replaces `file` with `content` so that a crash at any moment leaves either the old file or
/// the new one, never half of it: a temporary file in the same folder is written, flushed to
/// disk, renamed over the old one, and the folder flushed so the rename lasts. The file keeps
/// the permissions it had (new files get rw-r--r--). Throws std::filesystem::filesystem_error.
void write_file_atomically(std::filesystem::path const& file, std::string_view content);

}  // namespace wb::course
