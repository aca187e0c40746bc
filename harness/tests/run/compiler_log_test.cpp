// Tests of reading build logs: ninja's failed steps and the compiler's first error.
#include <wb/course/files.hpp>
#include <wb/run/build.hpp>
#include <wb/run/compiler_log.hpp>
#include <wb/testing/catch.hpp>

namespace {

std::string fixture(std::string const& name) {
  return wb::course::read_text_file(std::string(WB_RUN_FIXTURES_DIR) + "/" + name);
}

std::vector<std::string> const countdown_files = {"chapters/ch02-future-concept/countdown.hpp"};

}  // namespace

TEST_CASE("the first error in the learner's file comes with its code line and caret") {
  auto error = wb::run::first_error(fixture("gcc_missing_semicolon.log"), countdown_files);
  REQUIRE(error.has_value());
  CHECK(error->file == "/work/main/chapters/ch02-future-concept/countdown.hpp");
  CHECK(error->line == 20);
  CHECK(error->column == 5);
  CHECK(error->severity == "error");
  CHECK(error->message == "expected ‘;’ before ‘cx’");
  CHECK(error->source_line == "    cx.waker().wake_by_ref();");
  CHECK(error->caret == "    ^~");
}

TEST_CASE(
    "without an error in the learner's file the first in the chapter is taken with its notes") {
  auto error = wb::run::first_error(fixture("gcc_concept_not_satisfied.log"), countdown_files,
                                    "chapters/ch02-future-concept/");
  REQUIRE(error.has_value());
  CHECK(error->file.ends_with("chapters/ch02-future-concept/countdown_test.cpp"));
  CHECK(error->line == 10);
  CHECK(error->message == "static assertion failed: CountdownFuture must satisfy wb::Future");
  REQUIRE(error->notes.size() == 2);
  CHECK(error->notes[0].message == "the required type ‘typename F::Output’ is invalid");
  CHECK(error->notes[0].file.ends_with("wb/core/future.hpp"));
}

TEST_CASE("warnings and notes are never taken for the first error") {
  std::string const log =
      "a/chapters/ch02-x/countdown.hpp:3:1: warning: unused parameter\n"
      "a/harness/x.hpp:9:2: note: something\n"
      "a/harness/x.hpp:10:4: error: real problem\n";
  auto error = wb::run::first_error(log, countdown_files);
  REQUIRE(error.has_value());
  CHECK(error->message == "real problem");
  CHECK(error->line == 10);
}

TEST_CASE("colour codes in a log do not hide its errors") {
  std::string const log =
      "\x1b[01m\x1b[Kchapters/ch02-future-concept/countdown.hpp:7:3:\x1b[m\x1b[K "
      "\x1b[01;31m\x1b[Kerror: \x1b[m\x1b[Kboom\n";
  auto error = wb::run::first_error(log, countdown_files);
  REQUIRE(error.has_value());
  CHECK(error->line == 7);
  CHECK(error->message == "boom");
}

TEST_CASE("a linker error without a location is still found") {
  std::string const log =
      "/usr/bin/ld: main.o: in function `main':\n"
      "main.cpp:(.text+0x1): undefined reference to `CountdownFuture::poll(wb::Context&)'\n"
      "collect2: error: ld returned 1 exit status\n";
  CHECK_FALSE(wb::run::first_error(log, countdown_files).has_value());
  CHECK(wb::run::first_unlocated_error(log).value_or("").find("undefined reference") !=
        std::string::npos);
}

TEST_CASE("ninja's failed steps are split out and tied to their targets") {
  auto steps = wb::run::failed_steps(fixture("gcc_missing_semicolon.log"));
  REQUIRE(steps.size() == 1);
  CHECK(steps[0].text.find("expected ‘;’ before ‘cx’") != std::string::npos);
  CHECK(steps[0].text.find("/usr/bin/c++") == std::string::npos);  // the command is not output
  CHECK(wb::run::step_belongs_to(steps[0], "ch02_countdown"));
  CHECK_FALSE(wb::run::step_belongs_to(steps[0], "ch02_countdown_solution"));
  CHECK_FALSE(wb::run::step_belongs_to(steps[0], "ch02_count"));
  wb::run::FailedStep link{"chapters/ch02/ch02_countdown_solution", ""};
  CHECK(wb::run::step_belongs_to(link, "ch02_countdown_solution"));
  CHECK_FALSE(wb::run::step_belongs_to(link, "ch02_countdown"));
}

TEST_CASE("a shared step that fails breaks every target that needs it") {
  wb::run::BuildOutcome build;
  build.failures = {{"harness/CMakeFiles/wb_test_pch.dir/testing/src/pch.cpp.o", "error"},
                    {"chapters/CMakeFiles/ch02_a.dir/a_test.cpp.o", "error"}};
  std::vector<std::string> const targets = {"ch02_a", "ch02_b"};
  CHECK(build.failures_of("ch02_a").size() == 1);
  CHECK(build.shared_failures(targets).size() == 1);
  CHECK_FALSE(build.built("ch02_b", targets));
  build.failures.erase(build.failures.begin());
  CHECK(build.built("ch02_b", targets));
  CHECK_FALSE(build.built("ch02_a", targets));
}
