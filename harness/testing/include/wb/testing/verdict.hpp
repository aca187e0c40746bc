// wb::testing::Verdict — how one test went, as one record from the test program to every report:
// made where each fact is known (the reporter's tagged lines, the runner, the grader) and read by
// check, verify and grade as fields, never recovered from the English of its message.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace wb::testing {

enum class Status { pass, fail, not_started };

/// Why a test has its status: a closed list, so that reports and grades depend on facts rather
/// than on the wording of a message.
enum class Reason {
  passed,
  not_started,      // it reached a WB_TODO
  assertion,        // a CHECK or REQUIRE failed
  contract,         // a rule of the poll contract was broken (an oracle's verdict)
  exception,        // another exception escaped the test
  sanitizer,        // a sanitizer reported a problem while it ran, and the program went on
  timed_out,        // ran past the time limit and was killed
  watchdog,         // the oracles' watchdog ended the process: a poll never returned
  crashed,          // the process died of a signal, or a sanitizer stopped it
  exited,           // the process ended (an exit code) in the middle of it
  too_much_output,  // the program printed more than it may and was stopped
  out_of_time,      // the time for a submission ran out
  skipped,          // not run after repeated hangs
  did_not_run,      // never reported, for no reason above
  compile_error,    // its program did not compile
  memory_limit,     // the program went past its memory limit (grading)
  not_submitted,    // none of its files were in the submission (grading)
};

std::string_view to_string(Status status);
std::optional<Status> status_from_string(std::string_view text);
std::string_view to_string(Reason reason);
std::optional<Reason> reason_from_string(std::string_view text);

struct Verdict {
  std::string name;
  Status status = Status::pass;
  std::string message;  // the first failure in the words a learner reads; empty for a pass
  Reason reason = Reason::passed;
  std::string oracle;    // the oracle whose verdict it is ("parking oracle"), if any
  std::string location;  // where the WB_TODO is ("countdown.hpp:19"), for not_started
  /// Under `check --trace`, the oracle's poll-by-poll timeline of the run it judged: as lines
  /// of text, and as a Mermaid sequence diagram (for the book's page); empty otherwise.
  std::string trace;
  std::string trace_diagram;
  std::string output;  // what the program printed while the test ran
  bool output_truncated = false;
  std::chrono::milliseconds duration{0};
  /// false: the test never started; `reason` then says what kept it from running (the program
  /// crashed before it, the time ran out, it was skipped …).
  bool ran = true;

  bool passed() const { return status == Status::pass; }
};

/// The message with the WB_TODO's location after it, "… (countdown.hpp:19)", as reports that
/// show one line per test write it.
std::string message_with_location(Verdict const& verdict);

}  // namespace wb::testing
