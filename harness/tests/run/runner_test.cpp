// Tests of the runner against a test program that misbehaves on purpose (fixtures/).
#include <chrono>
#include <wb/run/runner.hpp>
#include <wb/testing/catch.hpp>

namespace {

using namespace std::chrono_literals;
using wb::run::RunOptions;
using wb::run::TestEnd;
using wb::testing::Reason;
using wb::testing::Status;

// How long a test may run before it counts as a hang. The limit covers the program's start and
// the gaps between tests too, so it must hold a start on a busy machine: the fixture starts in
// 20-130 ms of CPU, and at a load average of 20 on two cores it gets about a tenth of a core.
// Only the fixture's "hangs" (and a program that hangs on its way out) ever uses it up.
constexpr auto hang_limit = 2s;

RunOptions fixture(std::vector<std::string> tests) {
  RunOptions options;
  options.program = WB_RUN_FIXTURE_PROGRAM;
  options.tests = std::move(tests);
  options.time_limit = hang_limit;
  return options;
}

wb::testing::Verdict const& result(wb::run::RunReport const& report, std::string const& name) {
  auto const* test = report.find(name);
  REQUIRE(test != nullptr);
  return *test;
}

}  // namespace

TEST_CASE("the runner reports passing failing and not started tests in the order asked") {
  auto report = wb::run::run_tests(fixture({"is not started", "fails with a message", "passes"}));
  REQUIRE(report.error.empty());
  REQUIRE(report.tests.size() == 3);
  CHECK(report.tests[0].name == "is not started");
  CHECK(report.tests[0].status == Status::not_started);
  CHECK(report.tests[0].message == "write the countdown");
  CHECK(report.tests[0].reason == Reason::not_started);
  CHECK(report.tests[0].location.starts_with("misbehaving_tests.cpp:"));
  CHECK(report.tests[1].status == Status::fail);
  CHECK(report.tests[1].reason == Reason::assertion);
  CHECK(report.tests[1].message.find("41 == 42") != std::string::npos);
  CHECK(report.tests[2].status == Status::pass);
  CHECK(report.tests[2].reason == Reason::passed);
  CHECK(report.launches == 1);
}

TEST_CASE("an oracle's verdict arrives with the oracle's name as a field of its own") {
  auto report = wb::run::run_tests(
      fixture({"breaks a rule of the poll contract", "throws another exception"}));
  auto const& broken = result(report, "breaks a rule of the poll contract");
  CHECK(broken.status == Status::fail);
  CHECK(broken.reason == Reason::contract);
  CHECK(broken.oracle == "parking oracle");
  CHECK(broken.message == "parking oracle: your future will hang");
  auto const& other = result(report, "throws another exception");
  CHECK(other.reason == Reason::exception);
  CHECK(other.oracle.empty());
  CHECK(other.message.find("something else went wrong") != std::string::npos);
}

TEST_CASE("a test past the time limit fails as a hang and the tests after it still run") {
  auto options = fixture(
      {"passes", "hangs", "fails with a message", "has a comma, and [brackets] in its name"});
  auto const started = std::chrono::steady_clock::now();
  auto report = wb::run::run_tests(options);
  auto const took = std::chrono::steady_clock::now() - started;
  auto const& hang = result(report, "hangs");
  CHECK(hang.status == Status::fail);
  CHECK(hang.reason == Reason::timed_out);
  CHECK(hang.ran);
  CHECK(hang.message.find("did not finish within 2 s: it hangs") != std::string::npos);
  CHECK(hang.output.find("waiting for a wake-up") != std::string::npos);
  CHECK(result(report, "passes").status == Status::pass);
  CHECK(result(report, "fails with a message").status == Status::fail);
  CHECK(result(report, "has a comma, and [brackets] in its name").status == Status::pass);
  CHECK(report.launches == 2);
  // The hang cost one limit, not two: a runner that waited the limit again after killing the
  // hung program (or waited for the whole program) takes twice as long at least.
  CHECK(took < 2 * hang_limit);
}

TEST_CASE("after as many hangs as allowed the remaining tests are skipped") {
  auto options = fixture({"passes", "hangs", "is stopped by the watchdog"});
  options.max_hangs = 1;
  auto report = wb::run::run_tests(options);
  CHECK(result(report, "passes").status == Status::pass);
  CHECK(result(report, "hangs").reason == Reason::timed_out);
  auto const& skipped = result(report, "is stopped by the watchdog");
  CHECK(skipped.reason == Reason::skipped);
  CHECK_FALSE(skipped.ran);
  CHECK(report.hangs == 1);
  CHECK(skipped.message.find("skipped after 1 tests hung") != std::string::npos);
  CHECK(report.launches == 1);
}

TEST_CASE("a crash fails only the test that crashed with the signal's name") {
  auto report = wb::run::run_tests(fixture({"crashes with abort", "passes"}));
  auto const& crash = result(report, "crashes with abort");
  CHECK(crash.status == Status::fail);
  CHECK(crash.reason == Reason::crashed);
  CHECK(crash.message.find("crashed with SIGABRT") != std::string::npos);
  CHECK(crash.output.find("about to crash") != std::string::npos);
  CHECK(result(report, "passes").status == Status::pass);
}

TEST_CASE("a program that exits in the middle of a test fails that test with its exit code") {
  auto report = wb::run::run_tests(fixture({"exits early", "passes"}));
  auto const& early = result(report, "exits early");
  CHECK(early.reason == Reason::exited);
  CHECK(early.message.find("exit code 3") != std::string::npos);
  CHECK(result(report, "passes").status == Status::pass);
}

TEST_CASE("the watchdog's verdict becomes the failure message") {
  auto report = wb::run::run_tests(fixture({"is stopped by the watchdog", "passes"}));
  auto const& stuck = result(report, "is stopped by the watchdog");
  CHECK(stuck.reason == Reason::watchdog);
  CHECK(stuck.oracle == "spin oracle (blocking watchdog)");
  CHECK(stuck.message == "the poll never returned (watchdog verdict)");
  CHECK(stuck.output.find("watchdog verdict") == std::string::npos);
  CHECK(result(report, "passes").status == Status::pass);
}

TEST_CASE("a flood of output is kept within the limit and the test still passes") {
  auto options = fixture({"prints a lot", "passes"});
  options.output_limit = 4096;
  auto report = wb::run::run_tests(options);
  auto const& loud = result(report, "prints a lot");
  CHECK(loud.status == Status::pass);
  CHECK(loud.output.size() == 4096);
  CHECK(loud.output_truncated);
  CHECK(loud.output.starts_with("line 0\n"));
  CHECK(report.output.size() <= 4096);
}

TEST_CASE("output is counted to the test that printed it") {
  auto report =
      wb::run::run_tests(fixture({"passes", "prints and passes", "fails with a message"}));
  CHECK(result(report, "passes").output.empty());
  CHECK(result(report, "prints and passes").output == "hello from the test\n");
  CHECK(result(report, "fails with a message").output.empty());
}

TEST_CASE("a program that crashes before any test leaves every test did not run") {
  auto options = fixture({"passes", "fails with a message"});
  options.env = {{"WB_FIXTURE_CRASH_AT_START", "1"}};
  auto report = wb::run::run_tests(options);
  REQUIRE(report.tests.size() == 2);
  for (auto const& test : report.tests) {
    CHECK(test.reason == Reason::crashed);
    CHECK_FALSE(test.ran);
    CHECK(test.message.find("crashed with SIGABRT before this test") != std::string::npos);
  }
  CHECK(report.launches == 1);
}

TEST_CASE("a test the program does not have is reported as did not run") {
  auto report = wb::run::run_tests(fixture({"passes", "is not in the program"}));
  CHECK(result(report, "passes").status == Status::pass);
  auto const& missing = result(report, "is not in the program");
  CHECK(missing.reason == Reason::did_not_run);
  CHECK_FALSE(missing.ran);
  CHECK(missing.message.find("no test of this name") != std::string::npos);
}

TEST_CASE("output without a newline before the reporter's line is still output") {
  auto report = wb::run::run_tests(fixture({"prints without a newline", "passes"}));
  CHECK(result(report, "prints without a newline").status == Status::pass);
  CHECK(result(report, "prints without a newline").output == "no newline");
  CHECK(result(report, "passes").status == Status::pass);
}

TEST_CASE("test names with commas and brackets are run by name") {
  auto report = wb::run::run_tests(fixture({"has a comma, and [brackets] in its name"}));
  CHECK(result(report, "has a comma, and [brackets] in its name").status == Status::pass);
}

TEST_CASE("results are kept when the program hangs after its last test") {
  auto options = fixture({"passes"});
  options.env = {{"WB_FIXTURE_HANG_AT_EXIT", "1"}};
  auto report = wb::run::run_tests(options);
  CHECK(result(report, "passes").status == Status::pass);
  REQUIRE(report.notes.size() == 1);
  CHECK(report.notes[0].find("still running") != std::string::npos);
}

#if defined(__SANITIZE_ADDRESS__)
TEST_CASE("a leak reported after the last test becomes a note") {
  auto report = wb::run::run_tests(fixture({"leaks memory"}));
  CHECK(result(report, "leaks memory").status == Status::pass);
  REQUIRE(report.notes.size() == 1);
  CHECK(report.notes[0].find("LeakSanitizer found memory allocated and never freed") !=
        std::string::npos);
}
#endif

TEST_CASE("every test of the program runs when no list is given even after a crash") {
  auto options = fixture({});
  auto report = wb::run::run_tests(options);
  CHECK(report.tests.size() == 16);
  CHECK(result(report, "passes").status == Status::pass);
  CHECK(result(report, "hangs").reason == Reason::timed_out);
  CHECK(result(report, "crashes with abort").reason == Reason::crashed);
  CHECK(result(report, "exits early").reason == Reason::exited);
  CHECK(result(report, "has a comma, and [brackets] in its name").status == Status::pass);
}

TEST_CASE("a program that cannot be started is an error not a crash") {
  auto options = fixture({"passes"});
  options.program = "/nonexistent/test-program";
  auto report = wb::run::run_tests(options);
  CHECK_FALSE(report.error.empty());
  CHECK(result(report, "passes").reason == Reason::did_not_run);
}

TEST_CASE("the test list of a program comes from Catch2") {
  auto names = wb::run::list_tests(WB_RUN_FIXTURE_PROGRAM);
  REQUIRE(names.has_value());
  CHECK(names->size() == 16);
  CHECK(names->front() == "passes");
}

TEST_CASE("a crash reported by the launcher as exit code 128 plus the signal is still a crash") {
  // bubblewrap, like a shell, reports a child killed by signal N as its own exit code 128 + N.
  auto options = fixture({"crashes with abort", "passes"});
  options.launcher = {"bash", "-c", "\"$@\"; exit $?", "launcher"};
  auto report = wb::run::run_tests(options);
  auto const& crash = result(report, "crashes with abort");
  CHECK(crash.status == Status::fail);
  CHECK(crash.reason == Reason::crashed);
  CHECK(crash.message.find("crashed with SIGABRT") != std::string::npos);
  CHECK(result(report, "passes").status == Status::pass);
}

TEST_CASE("a race report before a failure is named first and the failure after it") {
  auto report = wb::run::run_tests(fixture({"fails after a race report"}));
  auto const& raced = result(report, "fails after a race report");
  CHECK(raced.status == Status::fail);
  CHECK(raced.reason == Reason::sanitizer);
  CHECK(
      raced.message.starts_with("a sanitizer reported a problem during this test: "
                                "ThreadSanitizer found a data race"));
  CHECK_THAT(raced.message, Catch::Matchers::ContainsSubstring(
                                "(after that report the test failed too: poll #67 took 368 ms"));
}

TEST_CASE("each way the runner sees a test end maps to one reason") {
  CHECK(wb::run::reason_of(TestEnd::timed_out) == Reason::timed_out);
  CHECK(wb::run::reason_of(TestEnd::watchdog) == Reason::watchdog);
  CHECK(wb::run::reason_of(TestEnd::crashed) == Reason::crashed);
  CHECK(wb::run::reason_of(TestEnd::stopped_by_sanitizer) == Reason::crashed);
  CHECK(wb::run::reason_of(TestEnd::exited) == Reason::exited);
  CHECK(wb::run::reason_of(TestEnd::too_much_output) == Reason::too_much_output);
  CHECK(wb::run::reason_of(TestEnd::out_of_time) == Reason::out_of_time);
  CHECK(wb::run::reason_of(TestEnd::skipped) == Reason::skipped);
  CHECK(wb::run::reason_of(TestEnd::did_not_run) == Reason::did_not_run);
}
