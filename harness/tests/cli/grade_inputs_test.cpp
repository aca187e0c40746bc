// Tests of how `workbook grade` takes hostile inputs: a submission's folder swapped for a link
// while it is graded, a device or a FIFO where an exercise file should be, names and text that
// are not printable or too long to copy everywhere, and an instructor's tree with solved
// exercises (graded against git's stubs instead).
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <wb/course/files.hpp>
#include <wb/course/manifest.hpp>
#include <wb/grade/gradebook.hpp>
#include <wb/grade/grading_tree.hpp>
#include <wb/grade/pristine_chapters.hpp>
#include <wb/grade/sandbox.hpp>
#include <wb/grade/submission.hpp>
#include <wb/testing/catch.hpp>

#include "temp_dir.hpp"

namespace {

namespace fs = std::filesystem;

using wb::test::TempDir;
using wb::test::write_file;

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
  write_file(sub / "chapters/ch02-future-concept/countdown.hpp", "// mine\n");
  write_file(dir.path / "secret/chapters/ch02-future-concept/countdown.hpp", "// root's secret\n");
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
  write_file(sub / "chapters/ch02-future-concept/countdown.hpp", "// mine\n");
  write_file(dir.path / "secret/chapters/ch02-future-concept/countdown.hpp", "// root's secret\n");
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
  write_file(dir.path / "outside/countdown.hpp", "// outside\n");
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
  // the way taken on kernels without openat2
  problem.clear();
  CHECK(wb::grade::open_beneath_step_by_step(root, "chapters/countdown.hpp", O_RDONLY, problem) <
        0);
  CHECK(problem.find("is reached through a link") != std::string::npos);
  write_file(dir.path / "sub/plain/countdown.hpp", "// mine\n");
  int const plain =
      wb::grade::open_beneath_step_by_step(root, "plain/countdown.hpp", O_RDONLY, problem);
  CHECK(plain >= 0);
  if (plain >= 0) ::close(plain);
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

namespace {

int run(std::string const& command) { return std::system(command.c_str()); }

// A course of one chapter in a git repository, its exercise file then solved in the working tree:
// an instructor's checkout.
fs::path solved_course(fs::path const& dir) {
  auto const course = dir / "course";
  auto const chapter = course / "chapters/ch02-future-concept";
  write_file(
      chapter / "chapter.toml",
      "title = \"The Future concept\"\n[[exercises]]\nname = \"countdown\"\ntitle = "
      "\"CountdownFuture\"\nfiles = [\"countdown.hpp\"]\n[exercises.tests]\n\"counts\" = 1\n");
  write_file(chapter / "countdown.hpp", "// stub\nWB_TODO(\"count down\");\n");
  write_file(chapter / "countdown_test.cpp", "// the tests\n");
  auto const git = "git -C '" + course.string() + "' ";
  REQUIRE(run(git + "init -q && " + git + "add -A && " + git +
              "-c user.name=t -c user.email=t@t commit -qm stubs") == 0);
  write_file(chapter / "countdown.hpp", "// the instructor's answer\n");
  return course;
}

}  // namespace

TEST_CASE("a submission is graded against the stubs from git and not a solved chapters folder") {
  TempDir dir;
  auto const course = solved_course(dir.path);
  auto const chapter = wb::course::load_chapter(course / "chapters/ch02-future-concept");
  auto const pristine = wb::grade::pristine_chapters(course, {chapter}, dir.path / "pristine");
  CHECK(pristine.from_git);
  CHECK(wb::course::read_text_file(pristine.dir / "ch02-future-concept/countdown.hpp") ==
        "// stub\nWB_TODO(\"count down\");\n");
  CHECK(wb::course::read_text_file(pristine.dir / "ch02-future-concept/countdown_test.cpp") ==
        "// the tests\n");
  std::string warnings;
  for (auto const& warning : pristine.warnings) warnings += warning + "\n";
  INFO(warnings);
  CHECK(warnings.find("ch02-future-concept/countdown.hpp") != std::string::npos);
  CHECK(warnings.find("graded against the stubs from git") != std::string::npos);

  // the compile command and the sandbox's view move to the stubs, and the cache key changes
  auto const from = (course / "chapters").string();
  wb::grade::GradingTree tree;
  tree.fingerprint = "tree";
  tree.shared_paths = {course / "chapters", "/usr/include"};
  wb::grade::ExerciseCommands commands;
  commands.chapter_dir = course / "chapters/ch02-future-concept";
  commands.test_file = commands.chapter_dir / "countdown_test.cpp";
  commands.compile = {"g++",
                      "-I" + from + "/ch02-future-concept",
                      "-DWB_SNIPPETS_DIR=\"" + from + "/ch02-future-concept/snippets\"",
                      "-o",
                      "x.o",
                      "-c",
                      commands.test_file.string()};
  tree.exercises["ch02_countdown"] = commands;
  wb::grade::use_pristine_chapters(tree, pristine);
  auto const words = tree.compile_command("ch02_countdown", dir.path / "overlay", "y.o");
  std::string line;
  for (auto const& word : words) line += word + " ";
  INFO(line);
  CHECK(line.find(from) == std::string::npos);
  CHECK(line.find("-I" + (dir.path / "overlay").string() + " -I" +
                  (pristine.dir / "ch02-future-concept").string()) != std::string::npos);
  CHECK(line.find("-c " + (pristine.dir / "ch02-future-concept/countdown_test.cpp").string()) !=
        std::string::npos);
  CHECK(std::find(tree.shared_paths.begin(), tree.shared_paths.end(), course / "chapters") ==
        tree.shared_paths.end());
  CHECK(std::find(tree.shared_paths.begin(), tree.shared_paths.end(), pristine.dir) !=
        tree.shared_paths.end());
  CHECK(tree.fingerprint != "tree");
}

TEST_CASE("outside a git checkout the chapters folder is used as it is and the report says so") {
  TempDir dir;
  auto const course = solved_course(dir.path);
  fs::remove_all(course / ".git");
  auto const chapter = wb::course::load_chapter(course / "chapters/ch02-future-concept");
  auto const pristine = wb::grade::pristine_chapters(course, {chapter}, dir.path / "pristine");
  CHECK_FALSE(pristine.from_git);
  CHECK(pristine.dir == course / "chapters");
  REQUIRE(pristine.warnings.size() == 1);
  CHECK(pristine.warnings[0].find("not a git checkout") != std::string::npos);
  CHECK(pristine.digest.size() == 64);
}

TEST_CASE("text from a submission reaches the terminal with its control characters shown") {
  using wb::grade::printable;
  CHECK(printable("alice") == "alice");
  CHECK(printable("a\x1b[31mred\x1b[0m", false) == "a\\x1b[31mred\\x1b[0m");
  CHECK(printable("one\ntwo\tthree\r\n", true) == "one\ntwo\tthree\n");
  CHECK(printable("one\ntwo\r", false) == "one\\ntwo\\r");
  CHECK(printable("bad \xff\xfe byte") == "bad \xEF\xBF\xBD\xEF\xBF\xBD byte");
  CHECK(printable("\xc0\xaf overlong") == "\xEF\xBF\xBD\xEF\xBF\xBD overlong");
  CHECK(printable("C1 \xc2\x9b") == "C1 \\x9b");
  CHECK(printable("caf\xc3\xa9 \xe2\x80\xae") == "caf\xc3\xa9 \\u{202e}");  // é kept, RLO shown
}

TEST_CASE("a compile error copied into every test is cut and the exercise keeps 64 KiB of it") {
  wb::grade::GradedExercise exercise;
  std::string const huge(1u << 20, 'x');
  exercise.compile_error = "countdown.hpp:1:2: error: " + huge;
  for (int i = 0; i < 10; ++i) {
    exercise.tests.push_back(
        wb::grade::test_not_run("t" + std::to_string(i), 1, wb::testing::Reason::compile_error,
                                "does not compile: " + exercise.compile_error));
  }
  wb::grade::make_presentable(exercise);
  CHECK(exercise.compile_error.size() <= wb::grade::max_compile_error_bytes);
  CHECK(exercise.compile_error.find("more bytes cut]") != std::string::npos);
  for (auto const& test : exercise.tests) {
    CHECK(test.message.size() <= wb::grade::max_test_message_bytes);
    CHECK(test.message.starts_with("does not compile: countdown.hpp:1:2: error: xxx"));
  }
  CHECK(wb::grade::cap_text("short", 10) == "short");
  CHECK(wb::grade::cap_text(std::string(100, 'y'), 40).size() <= 40);
}
