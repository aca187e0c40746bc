// Tests of how `workbook grade` takes hostile inputs: a submission's folder swapped for a link
// while it is graded, a device or a FIFO where an exercise file should be, names that are not
// text, and text that is too long to copy everywhere.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <wb/grade/sandbox.hpp>
#include <wb/grade/submission.hpp>
#include <wb/testing/catch.hpp>

namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    char pattern[] = "/tmp/wb-grade-inputs-test-XXXXXX";
    path = ::mkdtemp(pattern);
  }
  ~TempDir() {
    std::error_code error;
    fs::remove_all(path, error);
  }
};

void write(fs::path const& file, std::string const& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

std::vector<wb::grade::WantedFile> const countdown = {{"ch02-future-concept", "countdown.hpp"}};

std::string all_notes(wb::grade::SubmissionFiles const& files) {
  std::string text;
  for (auto const& note : files.notes) text += note + "\n";
  return text;
}

}  // namespace

TEST_CASE("a folder of a submission swapped for a link after it was listed is not followed") {
  TempDir dir;
  auto const sub = dir.path / "alice";
  write(sub / "chapters/ch02-future-concept/countdown.hpp", "// mine\n");
  write(dir.path / "secret/chapters/ch02-future-concept/countdown.hpp", "// root's secret\n");
  auto swap = [&] {  // what a hostile process does between the listing and the reading
    fs::rename(sub / "chapters", sub / "chapters.old");
    fs::create_directory_symlink(dir.path / "secret/chapters", sub / "chapters");
  };
  auto const files = wb::grade::read_submission(sub, countdown, dir.path / "scratch",
                                                wb::grade::detect_sandbox(false), 0, swap);
  INFO(all_notes(files));
  CHECK(files.error.empty());
  CHECK(files.find("ch02-future-concept", "countdown.hpp") == nullptr);
  CHECK(all_notes(files).find("is reached through a link") != std::string::npos);
}

TEST_CASE("a submission folder swapped for a link after it was opened is still the one read") {
  TempDir dir;
  auto const sub = dir.path / "alice";
  write(sub / "chapters/ch02-future-concept/countdown.hpp", "// mine\n");
  write(dir.path / "secret/chapters/ch02-future-concept/countdown.hpp", "// root's secret\n");
  auto swap = [&] {
    fs::rename(sub, dir.path / "alice.old");
    fs::create_directory_symlink(dir.path / "secret", sub);
  };
  auto const files = wb::grade::read_submission(sub, countdown, dir.path / "scratch",
                                                wb::grade::detect_sandbox(false), 0, swap);
  REQUIRE(files.find("ch02-future-concept", "countdown.hpp") != nullptr);
  CHECK(*files.find("ch02-future-concept", "countdown.hpp") == "// mine\n");
}

TEST_CASE("a link at any step of a path is refused beneath the submission folder") {
  TempDir dir;
  write(dir.path / "outside/countdown.hpp", "// outside\n");
  fs::create_directories(dir.path / "sub");
  fs::create_directory_symlink(dir.path / "outside", dir.path / "sub/chapters");
  int const root = ::open((dir.path / "sub").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  REQUIRE(root >= 0);
  std::string problem;
  CHECK_FALSE(wb::grade::read_file_beneath(root, "chapters/countdown.hpp", problem));
  CHECK(problem.find("is reached through a link") != std::string::npos);
  problem.clear();
  CHECK_FALSE(wb::grade::read_file_beneath(root, "../outside/countdown.hpp", problem));
  CHECK(problem.find("leads out of the submission") != std::string::npos);
  ::close(root);
}

TEST_CASE("a fifo or a device as the exercise file is refused before it is opened for reading") {
  TempDir dir;
  auto const sub = dir.path / "alice";
  auto const file = sub / "chapters/ch02-future-concept/countdown.hpp";
  fs::create_directories(file.parent_path());
  SECTION("a fifo (opened for reading it would wait for a writer forever)") {
    REQUIRE(::mkfifo(file.c_str(), 0644) == 0);
  }
  SECTION("a device node") {
    if (::mknod(file.c_str(), S_IFCHR | 0644, makedev(1, 3)) != 0) {
      WARN("making a device node needs root: not checked");
      return;
    }
  }
  auto const files = wb::grade::read_submission(sub, countdown, dir.path / "scratch",
                                                wb::grade::detect_sandbox(false));
  CHECK(files.find("ch02-future-concept", "countdown.hpp") == nullptr);
  CHECK(all_notes(files).find("is not a regular file") != std::string::npos);
}
