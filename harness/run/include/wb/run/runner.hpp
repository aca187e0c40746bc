// wb::run::run_tests — runs a test program (built on the shared Catch2 main with the "wb"
// reporter) and returns one result per test, whatever the program does: a test that runs past
// the time limit, crashes, or ends the process is marked failed with the reason, and the program
// is started again for the tests it did not reach. Each launch runs in its own process group,
// which is killed as a whole, and the program's output is captured within a bound. Meant for
// code nobody has reviewed: a learner's exercise now, a submission to grade later.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wb/run/process.hpp"
#include "wb/testing/result_line.hpp"

namespace wb::run {

struct RunOptions {
  std::filesystem::path program;
  /// The tests to run, in the order results are wanted. Empty: every test the program has.
  std::vector<std::string> tests;
  /// Longest time one test may run; past it the test fails as a hang.
  std::chrono::milliseconds time_limit{10'000};
  /// Bytes of the program's own output (stdout and stderr) kept, for the run and for each test.
  std::size_t output_limit = 64 * 1024;
  /// After this many tests hang (time limit or watchdog), the rest are skipped: a learner waits
  /// for one lesson, not the same one N times over. 0: never skip (what `verify` needs).
  int max_hangs = 0;
  Environment env;
  std::filesystem::path cwd;
  /// Where the runner's temporary files go (a fresh folder inside is made and removed); empty:
  /// $TMPDIR or /tmp.
  std::filesystem::path scratch_dir;

  // For grading code nobody has reviewed (`workbook grade`):
  /// The program is started through these (a sandbox and its limits): launcher + program + args.
  std::vector<std::string> launcher;
  /// The program sees `env` and nothing of the workbook's own environment (no tokens or paths
  /// of the machine leak into a submission's output).
  bool clear_env = false;
  /// Credit only reporter lines signed with a fresh secret key per start (result_signature.hpp):
  /// lines the program's own code prints are output, whatever they look like.
  bool signed_results = false;
  /// Once the program has printed this many bytes it is stopped and the running test fails.
  /// 0: never (output past `output_limit` is read and dropped).
  std::size_t output_cap = 0;
  /// No test runs past this point: the one running is stopped, the rest do not start.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  /// `tests` is the program's true list (from the pristine test file): a program that exits
  /// before a test has ended early, it does not lack the test.
  bool tests_are_known = false;
  /// cgroup.procs files every launch joins before it execs (SpawnOptions::join_cgroups).
  std::vector<std::string> join_cgroups;
};

/// How a launch of the test program ended a test, or kept it from starting: the endings of the
/// runner's loop. reason_of() is the one table from these to a verdict's reason.
enum class TestEnd {
  reported,              // the program reported it (the reporter's reason stands)
  timed_out,             // ran past the time limit and was killed
  watchdog,              // the oracles' watchdog ended the process: a poll never returned
  crashed,               // the process died of a signal
  stopped_by_sanitizer,  // a sanitizer reported a problem and ended the process
  exited,                // the process ended (an exit code)
  too_much_output,       // printed more than RunOptions::output_cap and was stopped
  out_of_time,           // stopped at RunOptions::deadline (the submission's time ran out)
  skipped,               // not started after RunOptions::max_hangs hangs
  did_not_run,           // never reported, for no reason above
};
wb::testing::Reason reason_of(TestEnd end);

struct RunReport {
  std::vector<wb::testing::Verdict> tests;  // the requested tests, then others reported
  std::string output;                       // everything the program printed, over all launches
  bool output_truncated = false;
  int launches = 0;
  int hangs = 0;      // tests that ran past the time limit or were stopped by the watchdog
  std::string error;  // the program could not be started at all
  std::vector<std::string> notes;  // things worth knowing that belong to no test

  wb::testing::Verdict const* find(std::string_view name) const;
  std::size_t count(wb::testing::Status status) const;
  bool all_passed() const;
};

RunReport run_tests(RunOptions const& options);

/// The names of the tests a program has, in its order (Catch2's test listing).
std::optional<std::vector<std::string>> list_tests(std::filesystem::path const& program);

/// A sanitizer's report in `output` in one line ("AddressSanitizer found a heap-use-after-free
/// (…) in CountdownFuture::poll(…)"), or the C++ runtime's ("terminate called …"), if any.
std::optional<std::string> sanitizer_line(std::string_view output);

/// The verdict a test that ran past `limit` gets.
std::string hang_message(std::chrono::milliseconds limit);

}  // namespace wb::run
