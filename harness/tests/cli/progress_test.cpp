// Tests of the progress store and of how a check is recorded in it.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <wb/cli/record_check.hpp>
#include <wb/course/progress.hpp>
#include <wb/testing/catch.hpp>

#include "temp_dir.hpp"

namespace fs = std::filesystem;
using wb::course::ChapterStatus;

namespace {

using wb::test::TempDir;

wb::course::Progress sample() {
  wb::course::Progress progress;
  auto& chapter = progress.chapter("ch02");
  chapter.status = wb::course::ChapterStatus::in_progress;
  chapter.best_points = 3;
  chapter.total_points = 10;
  chapter.last_check = "2025-01-31T12:00:00Z";
  chapter.exercise("countdown") = {3, 10, 2, false};
  return progress;
}

}  // namespace

TEST_CASE("progress survives a save and a load") {
  TempDir dir;
  wb::course::ProgressStore store(dir.path / ".workbook" / "progress.toml");
  store.save(sample());
  auto loaded = store.load();
  auto const* chapter = loaded.find("ch02");
  REQUIRE(chapter != nullptr);
  CHECK(chapter->status == wb::course::ChapterStatus::in_progress);
  CHECK(chapter->best_points == 3);
  CHECK(chapter->total_points == 10);
  CHECK(chapter->last_check == "2025-01-31T12:00:00Z");
  CHECK(chapter->hint_level("countdown") == 2);
  CHECK(chapter->hint_level("other") == 1);
  CHECK(chapter->exercises.at("countdown").best_points == 3);
}

TEST_CASE("saving leaves exactly one file behind and replaces the old one") {
  TempDir dir;
  wb::course::ProgressStore store(dir.path / "progress.toml");
  store.save(sample());
  auto progress = sample();
  progress.chapter("ch02").best_points = 7;
  store.save(progress);
  CHECK(store.load().find("ch02")->best_points == 7);
  std::size_t files = 0;
  for ([[maybe_unused]] auto const& entry : fs::directory_iterator(dir.path)) ++files;
  CHECK(files == 1);
}

TEST_CASE("no progress file means no progress yet") {
  TempDir dir;
  wb::course::ProgressStore store(dir.path / "progress.toml");
  CHECK(store.load().chapters.empty());
}

TEST_CASE("an unreadable progress file is an error and can be set aside") {
  TempDir dir;
  wb::course::ProgressStore store(dir.path / "progress.toml");
  std::ofstream(store.file()) << "[chapters.ch02\nbest = ";
  CHECK_THROWS_AS(store.load(), wb::course::ProgressError);
  auto aside = store.set_aside();
  CHECK(fs::exists(aside));
  CHECK_FALSE(fs::exists(store.file()));
  CHECK(store.load().chapters.empty());
}

TEST_CASE("odd values in a progress file are read sensibly") {
  auto progress = wb::course::parse_progress(
      "[chapters.ch02]\nstatus = 'weird'\n[chapters.ch02.exercises.countdown]\nhint_level = 9\n");
  auto const* chapter = progress.find("ch02");
  REQUIRE(chapter != nullptr);
  CHECK(chapter->status == wb::course::ChapterStatus::not_started);
  CHECK(chapter->hint_level("countdown") == 3);
}

namespace {

wb::course::ChapterManifest two_test_chapter() {
  return wb::course::parse_chapter(
      "title = \"t\"\n[[exercises]]\nname = \"countdown\"\n[exercises.tests]\n\"a\" = 1\n\"b\" = "
      "2\n",
      "/r/chapters/ch02-x");
}

wb::run::TestOutcome test(std::string name, int points, wb::testing::Status status) {
  wb::run::TestOutcome outcome;
  outcome.name = std::move(name);
  outcome.points = points;
  outcome.status = status;
  return outcome;
}

wb::run::ExerciseOutcome outcome(wb::testing::Status a, wb::testing::Status b) {
  wb::run::ExerciseOutcome result;
  result.exercise = "countdown";
  result.tests = {test("a", 1, a), test("b", 2, b)};
  return result;
}

}  // namespace

TEST_CASE("a check records the best score and the chapter's status") {
  using wb::testing::Status;
  auto const chapter = two_test_chapter();
  wb::course::ChapterProgress progress;
  wb::cli::record_check(progress, chapter, {outcome(Status::not_started, Status::not_started)});
  CHECK(progress.status == wb::course::ChapterStatus::not_started);
  CHECK(progress.total_points == 3);
  CHECK_FALSE(progress.last_check.empty());

  wb::cli::record_check(progress, chapter, {outcome(Status::pass, Status::fail)});
  CHECK(progress.status == wb::course::ChapterStatus::in_progress);
  CHECK(progress.best_points == 1);

  wb::cli::record_check(progress, chapter, {outcome(Status::pass, Status::pass)});
  CHECK(progress.status == wb::course::ChapterStatus::done);
  CHECK(progress.best_points == 3);
  CHECK(progress.exercises.at("countdown").passed);

  // A later, worse check keeps the best score but not the "passed" flag.
  wb::cli::record_check(progress, chapter, {outcome(Status::fail, Status::fail)});
  CHECK(progress.best_points == 3);
  CHECK(progress.status == wb::course::ChapterStatus::done);
  CHECK_FALSE(progress.exercises.at("countdown").passed);
}
