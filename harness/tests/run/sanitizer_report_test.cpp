// Tests of reading sanitizer reports: the kind of mistake in plain words, where it is in the
// learner's code, and the short version shown under a failure.
#include <wb/course/files.hpp>
#include <wb/run/runner.hpp>
#include <wb/run/sanitizer_report.hpp>
#include <wb/testing/catch.hpp>

namespace {

std::string fixture(std::string const& name) {
  return wb::course::read_text_file(std::string(WB_RUN_FIXTURES_DIR) + "/" + name);
}

}  // namespace

TEST_CASE("a use after free is named in plain words with the learner's function") {
  auto report = wb::run::find_sanitizer_report(fixture("asan_use_after_free.txt"));
  REQUIRE(report.has_value());
  CHECK(report->tool == "AddressSanitizer");
  CHECK(report->kind == "heap-use-after-free");
  CHECK(report->explanation == "memory used after it was freed");
  CHECK(report->where == "CountdownFuture::poll(wb::Context&)");
  CHECK(report->summary() ==
        "AddressSanitizer found a heap-use-after-free (memory used after it was freed) in "
        "CountdownFuture::poll(wb::Context&)");
}

TEST_CASE(
    "the short version of an AddressSanitizer report keeps headings and the learner's frames") {
  auto const full = fixture("asan_use_after_free.txt");
  auto const shown = wb::run::condense_sanitizer_output(full);
  CHECK(shown.find("ERROR: AddressSanitizer: heap-use-after-free") != std::string::npos);
  CHECK(shown.find("freed by thread T0 here:") != std::string::npos);
  CHECK(shown.find("    in CountdownFuture::poll(wb::Context&)") != std::string::npos);
  CHECK(shown.find("Shadow bytes") == std::string::npos);
  CHECK(shown.find("Catch::") == std::string::npos);
  CHECK(shown.find("SUMMARY") == std::string::npos);
  CHECK(shown.size() * 4 < full.size());
}

TEST_CASE("a data race is named with the first frame in the learner's files") {
  auto report = wb::run::find_sanitizer_report(fixture("tsan_data_race.txt"));
  REQUIRE(report.has_value());
  CHECK(report->tool == "ThreadSanitizer");
  CHECK(report->kind == "data race");
  CHECK(report->where == "Counter::poll() (race.hpp:2)");
  auto const shown = wb::run::condense_sanitizer_output(fixture("tsan_data_race.txt"));
  CHECK(shown.find("Previous write of size 4") != std::string::npos);
  CHECK(shown.find("    in Counter::poll() (race.hpp:2)") != std::string::npos);
  CHECK(shown.find("std_thread.h") == std::string::npos);
}

TEST_CASE("a data race names both accesses and which of them held a lock") {
  // A poll that looks at the flag before taking the lock, racing set() on another thread.
  auto report = wb::run::find_sanitizer_report(fixture("tsan_flag_race.txt"));
  REQUIRE(report.has_value());
  CHECK(report->kind == "data race");
  CHECK_THAT(report->accesses,
             Catch::Matchers::ContainsSubstring("a write in ex::Flag::set() (flag.hpp:18)") &&
                 Catch::Matchers::ContainsSubstring("a read in ex::wait_for_flag(") &&
                 Catch::Matchers::ContainsSubstring(
                     "the write held a lock, the read held none, so nothing orders them"));
  CHECK_THAT(report->summary(),
             Catch::Matchers::ContainsSubstring("take the same lock around the read too"));
  // Neither side locked: said so, with no guess about a lock.
  auto plain = wb::run::find_sanitizer_report(fixture("tsan_data_race.txt"));
  REQUIRE(plain.has_value());
  CHECK_THAT(plain->accesses, Catch::Matchers::ContainsSubstring("neither holding a lock"));
  CHECK(plain->likely_cause.empty());
}

TEST_CASE("clang's ThreadSanitizer report names both accesses without its build ids") {
  // ch03's parker reading its token outside the lock while a waker sets it under the lock.
  auto report = wb::run::find_sanitizer_report(fixture("tsan_parker_race_clang.txt"));
  REQUIRE(report.has_value());
  CHECK(report->kind == "data race");
  CHECK(report->where == "ex::ThreadParker::park() (block_on.hpp:18)");
  CHECK_THAT(
      report->accesses,
      Catch::Matchers::ContainsSubstring("a read in ex::ThreadParker::park() (block_on.hpp:18)") &&
          Catch::Matchers::ContainsSubstring("a write in unpark (block_on.hpp:33)") &&
          Catch::Matchers::ContainsSubstring("the write held a lock, the read held none"));
  CHECK_THAT(report->summary(), !Catch::Matchers::ContainsSubstring("BuildId") &&
                                    !Catch::Matchers::ContainsSubstring("+0x"));
}

TEST_CASE("undefined behaviour is UBSan's own words and the line") {
  auto report = wb::run::find_sanitizer_report(
      "/repo/chapters/ch02-x/countdown.hpp:19:88: runtime error: reference binding to null "
      "pointer of type 'struct basic_string'\n");
  REQUIRE(report.has_value());
  CHECK(report->summary() ==
        "undefined behaviour: reference binding to null pointer of type 'struct basic_string' in "
        "countdown.hpp:19");
}

TEST_CASE("an exception escaping a thread is reported by what it said") {
  CHECK(wb::run::sanitizer_line("terminate called after throwing an instance of 'X'\n"
                                "  what():  boom\n") ==
        "terminate called after throwing an instance of 'X': boom");
  CHECK_FALSE(wb::run::sanitizer_line("all good\n").has_value());
}

TEST_CASE("output without a sanitizer report is shown as it is") {
  std::string const plain = "poll 1\npoll 2\n";
  CHECK(wb::run::condense_sanitizer_output(plain) == plain);
  CHECK_FALSE(wb::run::find_sanitizer_report(plain).has_value());
}

TEST_CASE("undefined behaviour with a stack names the learner's frame without addresses") {
  auto report = wb::run::find_sanitizer_report(fixture("ubsan_dead_lambda_capture.txt"));
  REQUIRE(report.has_value());
  CHECK(report->tool == "UndefinedBehaviorSanitizer");
  CHECK(report->where == "operator() (run_with_limit.hpp:45)");
  CHECK(report->explanation ==
        "member call on an address which does not point to an object of type "
        "'_Sp_counted_base'");
  CHECK_THAT(report->summary(),
             Catch::Matchers::ContainsSubstring(
                 "Likely cause: a lambda that is a coroutine keeps its captures in the lambda "
                 "object"));
}

TEST_CASE("a memory error outside a lambda gets no guess about lambdas") {
  auto report = wb::run::find_sanitizer_report(fixture("asan_use_after_free.txt"));
  REQUIRE(report.has_value());
  CHECK(report->likely_cause.empty());
}

TEST_CASE("clang's name for a lambda's frame gets the same likely cause") {
  auto report = wb::run::find_sanitizer_report(fixture("asan_dead_lambda_capture_clang.txt"));
  REQUIRE(report.has_value());
  CHECK(report->kind == "stack-buffer-underflow");
  CHECK(report->explanation == "a read or write before the start of a local array");
  CHECK_THAT(report->where, Catch::Matchers::ContainsSubstring("'lambda'()::operator()()"));
  CHECK_THAT(report->where, Catch::Matchers::ContainsSubstring("(run_with_limit.hpp:46)"));
  CHECK_THAT(report->summary(),
             Catch::Matchers::ContainsSubstring(
                 "Likely cause: a lambda that is a coroutine keeps its captures"));
}

TEST_CASE("a crash in a lambda frame as ThreadSanitizer reports it gets the same likely cause") {
  auto report = wb::run::find_sanitizer_report(
      "==4242==WARNING: ThreadSanitizer: signal-unsafe call inside of a signal (pid=4242)\n"
      "    #0 malloc <null> (ch08_run_with_limit+0x5e2b1)\n"
      "    #1 operator() /r/chapters/ch08-runtime-in-depth/run_with_limit.hpp:45 (x+0x1a2b)\n"
      "    #2 wb::Task<int>::poll(wb::Context&) /r/harness/runtime/include/wb/task/task.hpp:182\n");
  REQUIRE(report.has_value());
  CHECK(report->kind == "signal-unsafe call inside of a signal");
  CHECK(report->where == "operator() (run_with_limit.hpp:45)");
  CHECK_THAT(report->summary(),
             Catch::Matchers::ContainsSubstring("the program crashed (most likely a bad pointer"));
  CHECK_THAT(report->summary(),
             Catch::Matchers::ContainsSubstring(
                 "Likely cause: a lambda that is a coroutine keeps its captures"));
}
