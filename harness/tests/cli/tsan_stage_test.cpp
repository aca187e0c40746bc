// How check folds a second run of an exercise under ThreadSanitizer into its first, and how a
// wrong version that only ThreadSanitizer sees is marked.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>
#include <wb/cli/mutant.hpp>
#include <wb/cli/tsan_stage.hpp>
#include <wb/run/build.hpp>
#include <wb/testing/catch.hpp>

#include "temp_dir.hpp"

namespace {

using wb::run::ExerciseOutcome;
using wb::run::TestOutcome;
using wb::testing::Status;
namespace fs = std::filesystem;

TestOutcome test(std::string name, Status status, std::string message = {}) {
  TestOutcome outcome;
  outcome.name = std::move(name);
  outcome.points = 1;
  outcome.status = status;
  outcome.message = std::move(message);
  return outcome;
}

using ScratchDir = wb::test::TempDir;

}  // namespace

TEST_CASE("a test that fails under ThreadSanitizer fails the check with what it saw") {
  ExerciseOutcome first;
  first.tests = {test("polls under the spin executor", Status::pass),
                 test("wakes once", Status::pass)};
  ExerciseOutcome under_tsan;
  under_tsan.tests = {test("polls under the spin executor", Status::fail,
                           "ThreadSanitizer saw a data race in poll (flag.hpp:37)"),
                      test("wakes once", Status::pass)};
  wb::cli::merge_tsan_outcome(first, under_tsan);
  CHECK(first.tests[0].status == Status::fail);
  CHECK_THAT(first.tests[0].message,
             Catch::Matchers::ContainsSubstring("Under ThreadSanitizer") &&
                 Catch::Matchers::ContainsSubstring("data race in poll (flag.hpp:37)"));
  CHECK(first.tests[1].status == Status::pass);
  CHECK_FALSE(first.all_passed());
}

TEST_CASE("a test that passes under both runs stays passed") {
  ExerciseOutcome first;
  first.tests = {test("wakes once", Status::pass)};
  ExerciseOutcome under_tsan;
  under_tsan.tests = {test("wakes once", Status::pass)};
  wb::cli::merge_tsan_outcome(first, under_tsan);
  CHECK(first.all_passed());
  CHECK(first.tests[0].message.empty());
}

TEST_CASE("a build tree is a ThreadSanitizer tree when its cache says so") {
  ScratchDir scratch;
  CHECK_FALSE(wb::cli::is_tsan_tree(scratch.path));  // no cache at all
  std::ofstream(scratch.path / "CMakeCache.txt")
      << "CMAKE_BUILD_TYPE:STRING=Debug\nWB_SANITIZERS:STRING=address,undefined\n";
  CHECK_FALSE(wb::cli::is_tsan_tree(scratch.path));
  std::ofstream(scratch.path / "CMakeCache.txt")
      << "CMAKE_BUILD_TYPE:STRING=Debug\nWB_SANITIZERS:STRING=thread\n";
  CHECK(wb::cli::is_tsan_tree(scratch.path));
}

TEST_CASE("what a tree builds of the chapters is read from its cache's booleans") {
  ScratchDir scratch;
  // No cache, or no entry: the default (an old tree builds everything).
  CHECK(wb::run::cmake_cache_flag(scratch.path, "WB_WRONG_VERSIONS", true));
  CHECK_FALSE(wb::run::cmake_cache_flag(scratch.path, "WB_THREADED_EXERCISES_ONLY", false));
  std::ofstream(scratch.path / "CMakeCache.txt")
      << "WB_WRONG_VERSIONS:BOOL=OFF\nWB_THREADED_EXERCISES_ONLY:BOOL=ON\n"
         "WB_A:STRING=false\nWB_B:STRING=No\nWB_C:STRING=0\nWB_D:STRING=1\nWB_E:BOOL=TRUE\n"
         "WB_F:STRING=\nWB_G:PATH=WB_G-NOTFOUND\n";
  CHECK_FALSE(wb::run::cmake_cache_flag(scratch.path, "WB_WRONG_VERSIONS", true));
  CHECK(wb::run::cmake_cache_flag(scratch.path, "WB_THREADED_EXERCISES_ONLY", false));
  CHECK_FALSE(wb::run::cmake_cache_flag(scratch.path, "WB_A", true));
  CHECK_FALSE(wb::run::cmake_cache_flag(scratch.path, "WB_B", true));
  CHECK_FALSE(wb::run::cmake_cache_flag(scratch.path, "WB_C", true));
  CHECK(wb::run::cmake_cache_flag(scratch.path, "WB_D", false));
  CHECK(wb::run::cmake_cache_flag(scratch.path, "WB_E", false));
  CHECK(wb::run::cmake_cache_flag(scratch.path, "WB_F", true));  // empty: the default
  CHECK_FALSE(wb::run::cmake_cache_flag(scratch.path, "WB_F", false));
  CHECK_FALSE(wb::run::cmake_cache_flag(scratch.path, "WB_G", true));
}

TEST_CASE("a wrong version only one sanitizer judges says so in its expect.toml") {
  ScratchDir scratch;
  fs::create_directories(scratch.path / "flag-races");
  std::ofstream(scratch.path / "flag-races" / "expect.toml")
      << "about = \"reads without the lock\"\nsanitizer = \"thread\"\n"
         "[[fails]]\ntest = \"a test\"\nmessage = \"data race\"\n";
  fs::create_directories(scratch.path / "flag-reads-freed-memory");
  std::ofstream(scratch.path / "flag-reads-freed-memory" / "expect.toml")
      << "about = \"reads a dead capture\"\nsanitizer = \"address\"\n"
         "[[fails]]\ntest = \"a test\"\nmessage = \"freed\"\n";
  fs::create_directories(scratch.path / "flag-unknown");
  std::ofstream(scratch.path / "flag-unknown" / "expect.toml")
      << "about = \"x\"\nsanitizer = \"memory\"\n[[fails]]\ntest = \"a test\"\n";
  std::vector<std::string> problems;
  auto const mutants = wb::cli::find_mutants(scratch.path, "flag", problems);
  REQUIRE(mutants.size() == 3);
  for (auto const& mutant : mutants) {
    if (mutant.name == "races") CHECK(mutant.sanitizer == "thread");
    if (mutant.name == "reads-freed-memory") CHECK(mutant.sanitizer == "address");
  }
  REQUIRE(problems.size() == 1);
  CHECK_THAT(problems[0],
             Catch::Matchers::ContainsSubstring("sanitizer = \"memory\" is not known"));
}
