// wb::course::ProgressStore — the learner's progress in .workbook/progress.toml: best score,
// status, hint levels and the last check of each chapter. Written atomically
// (write_file_atomically), so a crash never leaves half a file. The commands keep it; the book
// shows it.
#pragma once

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

namespace wb::course {

enum class ChapterStatus { not_started, in_progress, done };
std::string_view to_string(ChapterStatus status);

struct ExerciseProgress {
  int best_points = 0;
  int total_points = 0;
  int hint_level = 1;   // the level `check` shows; `hint` raises it up to 3
  bool passed = false;  // at the last check
};

struct ChapterProgress {
  ChapterStatus status = ChapterStatus::not_started;
  int best_points = 0;
  int total_points = 0;
  std::string last_check;  // UTC, ISO 8601; empty when never checked
  std::map<std::string, ExerciseProgress> exercises;

  ExerciseProgress& exercise(std::string const& name) { return exercises[name]; }
  /// Hint level of an exercise (1 when never raised).
  int hint_level(std::string const& name) const;
};

struct Progress {
  std::map<std::string, ChapterProgress> chapters;  // by chapter id, "ch02"

  ChapterProgress const* find(std::string const& id) const;
  ChapterProgress& chapter(std::string const& id) { return chapters[id]; }
};

/// The progress file could not be read; what() names the file and the problem.
class ProgressError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ProgressStore {
 public:
  explicit ProgressStore(std::filesystem::path file) : file_(std::move(file)) {}

  std::filesystem::path const& file() const { return file_; }
  /// The stored progress; empty when there is no file yet. Throws ProgressError when the file
  /// exists but cannot be read or parsed.
  Progress load() const;
  /// Replaces the file atomically. Throws ProgressError when it cannot be written.
  void save(Progress const& progress) const;
  /// Moves an unreadable file aside (progress.toml.unreadable-<time>) and says where.
  std::filesystem::path set_aside() const;

 private:
  std::filesystem::path file_;
};

/// Progress as TOML text and back (what the store writes and reads).
std::string format_progress(Progress const& progress);
Progress parse_progress(std::string_view text, std::string const& source = "progress.toml");

/// The current time in UTC as "2025-01-31T12:00:00Z", and as "20250131-120000" for file names.
std::string utc_timestamp();
std::string file_timestamp();

}  // namespace wb::course
