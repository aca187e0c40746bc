// wb::book::ChapterInfo and LearnerProgress — what a chapter page shows beside the text: the
// exercises of chapters/<slug>/chapter.toml, and the learner's status from
// .workbook/progress.toml (read defensively: the book builds whatever that file holds).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "wb/book/problem.hpp"

namespace wb::book {

struct ExerciseInfo {
  std::string name;   // "countdown": countdown_test.cpp
  std::string title;  // "CountdownFuture"
  std::vector<std::string> files;
  int tests = 0;
  int points = 0;
};

struct ChapterInfo {
  std::string id;    // "ch02"
  std::string slug;  // "ch02-future-concept"
  std::string title;
  std::string summary;
  std::vector<ExerciseInfo> exercises;
};

/// chapters/<slug>/chapter.toml, when the folder exists; a manifest that cannot be parsed is a
/// problem (the book should not hide a broken chapter).
std::optional<ChapterInfo> read_chapter_info(std::filesystem::path const& chapters_dir,
                                             std::string const& slug,
                                             std::vector<Problem>& problems);

struct ExerciseProgress {
  int best_points = 0;
  int total_points = 0;
  bool passed = false;
};

struct ChapterProgress {
  std::string status;  // "not started", "in progress", "done"
  int best_points = 0;
  int total_points = 0;
  std::string last_check;
  std::map<std::string, ExerciseProgress> exercises;
};

/// Progress by chapter id; empty when the file is missing or cannot be read.
std::map<std::string, ChapterProgress> read_progress(std::filesystem::path const& file);

}  // namespace wb::book
