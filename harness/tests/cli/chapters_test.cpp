// Tests of finding chapters and resolving the names learners type.
#include <filesystem>
#include <fstream>
#include <wb/course/chapters.hpp>
#include <wb/testing/catch.hpp>

namespace fs = std::filesystem;

namespace {

std::vector<wb::course::ChapterDir> some_chapters() {
  return {{"ch01", 1, "ch01-why-async", "/r/chapters/ch01-why-async"},
          {"ch02", 2, "ch02-future-concept", "/r/chapters/ch02-future-concept"},
          {"ch10", 10, "ch10-streams", "/r/chapters/ch10-streams"}};
}

std::string resolved(std::string_view name) {
  auto chapter = wb::course::resolve_chapter(some_chapters(), name);
  return chapter ? chapter->id : "none";
}

}  // namespace

TEST_CASE("a chapter is named by number with or without ch and leading zeros") {
  CHECK(resolved("ch02") == "ch02");
  CHECK(resolved("2") == "ch02");
  CHECK(resolved("02") == "ch02");
  CHECK(resolved("ch2") == "ch02");
  CHECK(resolved("10") == "ch10");
  CHECK(resolved("CH02") == "ch02");
}

TEST_CASE("a chapter is named by its slug with or without the chNN prefix") {
  CHECK(resolved("ch02-future-concept") == "ch02");
  CHECK(resolved("future-concept") == "ch02");
  CHECK(resolved("  why-async ") == "ch01");
}

TEST_CASE("an unknown chapter resolves to nothing") {
  CHECK(resolved("ch03") == "none");
  CHECK(resolved("3") == "none");
  CHECK(resolved("future") == "none");
  CHECK(resolved("") == "none");
}

TEST_CASE("chapters are the chNN folders that hold a chapter.toml in order") {
  auto const root = fs::temp_directory_path() / "wb-chapters-test";
  fs::remove_all(root);
  for (auto const* name : {"ch03-how-poll-works", "ch01-why-async", "ch02-no-manifest", "notes"}) {
    fs::create_directories(root / name);
  }
  std::ofstream(root / "ch03-how-poll-works" / "chapter.toml") << "title = \"x\"\n";
  std::ofstream(root / "ch01-why-async" / "chapter.toml") << "title = \"x\"\n";
  std::ofstream(root / "notes" / "chapter.toml") << "title = \"x\"\n";
  auto chapters = wb::course::find_chapters(root);
  REQUIRE(chapters.size() == 2);
  CHECK(chapters[0].slug == "ch01-why-async");
  CHECK(chapters[0].short_slug() == "why-async");
  CHECK(chapters[1].id == "ch03");
  CHECK(chapters[1].number == 3);
  fs::remove_all(root);
}
