#include "wb/run/runner.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "wb/course/files.hpp"
#include "wb/run/sanitizer_report.hpp"
#include "wb/testing/result_signature.hpp"
#include "wb/text/text.hpp"

namespace wb::run {
using namespace wb::text;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using wb::testing::Status;

using wb::testing::Reason;
using wb::testing::Verdict;

Reason reason_of(TestEnd end) {
  switch (end) {
    case TestEnd::reported:
      return Reason::assertion;  // (the reporter's reason is kept)
    case TestEnd::timed_out:
      return Reason::timed_out;
    case TestEnd::watchdog:
      return Reason::watchdog;
    case TestEnd::crashed:
      return Reason::crashed;
    case TestEnd::stopped_by_sanitizer:
      return Reason::crashed;  // caught before the hardware did
    case TestEnd::exited:
      return Reason::exited;
    case TestEnd::too_much_output:
      return Reason::too_much_output;
    case TestEnd::out_of_time:
      return Reason::out_of_time;
    case TestEnd::skipped:
      return Reason::skipped;
    case TestEnd::did_not_run:
      return Reason::did_not_run;
  }
  return Reason::did_not_run;
}

Verdict const* RunReport::find(std::string_view name) const {
  for (auto const& test : tests) {
    if (test.name == name) return &test;
  }
  return nullptr;
}

std::size_t RunReport::count(Status status) const {
  return static_cast<std::size_t>(std::count_if(
      tests.begin(), tests.end(), [&](Verdict const& test) { return test.status == status; }));
}

bool RunReport::all_passed() const {
  return error.empty() && !tests.empty() && count(Status::pass) == tests.size();
}

namespace {

std::string duration_text(std::chrono::milliseconds limit) {
  return limit.count() % 1000 == 0 ? fmt::format("{} s", limit.count() / 1000)
                                   : fmt::format("{} ms", limit.count());
}

}  // namespace

std::string hang_message(std::chrono::milliseconds limit) {
  return fmt::format(
      "did not finish within {}: it hangs (a future that is never woken, or a poll that never "
      "returns)",
      duration_text(limit));
}

std::optional<std::string> sanitizer_line(std::string_view output) {
  if (auto report = find_sanitizer_report(output)) return report->summary();
  auto const lines = split_lines(output);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].starts_with("terminate called")) {
      auto text = std::string(trim(lines[i]));
      if (i + 1 < lines.size() && contains(lines[i + 1], "what():")) {
        text += ": " + std::string(trim(trim(lines[i + 1]).substr(8)));
      }
      return text;
    }
  }
  return std::nullopt;
}

namespace {

// A report a sanitizer printed while a test that otherwise passed was running (ThreadSanitizer
// goes on after a race, so the test itself still says "pass").
bool has_sanitizer_report(std::string_view output) {
  return contains(output, "WARNING: ThreadSanitizer:") ||
         contains(output, "ERROR: AddressSanitizer:") || contains(output, ": runtime error: ") ||
         contains(output, "ERROR: LeakSanitizer:");
}

void append_bounded(std::string& to, bool& truncated, std::string_view text, std::size_t limit) {
  auto const room = limit - std::min(limit, to.size());
  if (text.size() > room) truncated = true;
  to.append(text.substr(0, room));
}

int open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  return -1;
#endif
}

bool has_exited(pid_t pid) {
  siginfo_t info{};
  info.si_pid = 0;
  // WNOWAIT: leave the zombie, so the process group cannot vanish before it is killed
  if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) return true;
  return info.si_pid != 0;
}

/// One start of the test program and what it reported until it ended or was stopped.
struct Launch {
  std::vector<Verdict> finished;       // tests it reported, in order
  std::optional<Verdict> interrupted;  // the test running when it died or was killed
  bool started_any = false;
  bool timed_out = false;        // killed for running past the limit
  bool out_of_time = false;      // killed at RunOptions::deadline
  bool too_much_output = false;  // killed for printing more than RunOptions::output_cap
  ExitStatus status;
  std::string verdict;                 // what the watchdog wrote, if it fired
  std::string verdict_oracle;          // whose poll the watchdog was timing
  std::string output;                  // the program's output in this launch (bounded)
  std::string output_after_last_test;  // what it printed after its last "end" line
  bool output_truncated = false;
  std::string error;  // could not start
};

// The program's stdout, stderr and the reporter's stream (fd 3) all go into one pipe, so the
// order in which things were written is the order they are read: what a test printed lies
// between its "start" and "end" lines, exactly. With signed results the reporter's lines carry a
// tag made with a key only this start of the program was given (on fd 4, read before the
// learner's code runs), and a line without the right tag is output like any other.
class LaunchMonitor {
 public:
  LaunchMonitor(RunOptions const& options, std::size_t output_limit)
      : options_(options), output_limit_(output_limit) {}

  Launch run(std::vector<std::string> const& argv, fs::path const& verdict_file) {
    auto stream = make_pipe();
    if (!stream) {
      launch_.error = "could not create a pipe for the test program";
      return std::move(launch_);
    }
    std::error_code ignored;
    fs::remove(verdict_file, ignored);
    // The reporter opens /dev/fd/3 again by name, which checks the pipe's permissions: a program
    // started through a launcher may run as another user (the sandbox's), who may write to it.
    if (!options_.launcher.empty()) ::fchmod(stream->write, 0622);

    SpawnOptions spawn_options;
    spawn_options.argv = options_.launcher;
    spawn_options.argv.insert(spawn_options.argv.end(), argv.begin(), argv.end());
    spawn_options.cwd = options_.cwd;
    spawn_options.env = options_.env;
    spawn_options.clear_env = options_.clear_env;
    spawn_options.env.emplace_back("WB_VERDICT_FILE", verdict_file.string());
    // UndefinedBehaviorSanitizer prints no stack unless asked: the stack is how a report is
    // traced to the learner's line (see sanitizer_report.cpp).
    if (std::getenv("UBSAN_OPTIONS") == nullptr) {
      spawn_options.env.emplace_back("UBSAN_OPTIONS", "print_stacktrace=1");
    }
    spawn_options.stdout_fd = stream->write;
    spawn_options.stderr_fd = stream->write;
    spawn_options.extra_fds = {{stream->write, 3}};
    spawn_options.own_process_group = true;
    spawn_options.new_session = !options_.launcher.empty();
    spawn_options.join_cgroups = options_.join_cgroups;
    std::optional<Pipe> key_pipe;
    if (options_.signed_results) {
      key_ = wb::testing::ResultKey::random();
      key_pipe = make_pipe();
      if (!key_pipe) {
        close_fd(stream->read);
        close_fd(stream->write);
        launch_.error = "could not create a pipe for the result key";
        return std::move(launch_);
      }
      // 32 bytes fit in any pipe's buffer: written now, read by the program when it starts.
      auto const hex = key_->to_hex();
      [[maybe_unused]] auto const written = ::write(key_pipe->write, hex.data(), hex.size());
      close_fd(key_pipe->write);
      spawn_options.extra_fds.emplace_back(key_pipe->read, 4);
      spawn_options.env.emplace_back(wb::testing::result_key_fd_variable, "4");
    }
    auto child = spawn(spawn_options);
    close_fd(stream->write);
    if (key_pipe) close_fd(key_pipe->read);
    if (child.pid < 0) {
      close_fd(stream->read);
      launch_.error = child.error;
      return std::move(launch_);
    }
    track_process_group(child.pid);
    if (interrupted() != 0) ::kill(-child.pid, SIGKILL);  // see process.hpp: defer_interrupts
    stream_fd_ = stream->read;
    ::fcntl(stream_fd_, F_SETFL, O_NONBLOCK);
    watch(child.pid);
    untrack_process_group(child.pid);
    // A sandbox's exit code 128 + N is the test program's death by signal N: read as an exit,
    // the tests after a crash would be marked "did not run".
    if (!options_.launcher.empty()) launch_.status = launch_.status.through_launcher();
    close_fd(stream_fd_);
    if (!pending_.empty()) handle_line(pending_, false);

    read_watchdog_verdict(course::read_text_file(verdict_file));
    if (current_) {
      Verdict test;
      test.name = *current_;
      test.output = std::move(current_output_);
      test.output_truncated = current_truncated_;
      test.duration = since(current_started_);
      launch_.interrupted = std::move(test);
    }
    return std::move(launch_);
  }

 private:
  // The watchdog's file: "oracle=<name>" on the first line (when it knew the oracle), then the
  // verdict as the learner reads it.
  void read_watchdog_verdict(std::string_view text) {
    if (text.starts_with("oracle=")) {
      auto const end = text.find('\n');
      launch_.verdict_oracle = std::string(text.substr(7, end == text.npos ? text.npos : end - 7));
      text = end == text.npos ? std::string_view() : text.substr(end + 1);
    }
    launch_.verdict = std::string(trim(text));
  }

  static std::chrono::milliseconds since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  }

  void watch(pid_t pid) {
    int pidfd = open_pidfd(pid);
    last_event_ = Clock::now();
    bool exited = false;
    while (!exited && !launch_.too_much_output) {
      auto deadline = (current_ ? current_started_ : last_event_) + options_.time_limit;
      bool const budget_first = options_.deadline && *options_.deadline < deadline;
      if (budget_first) deadline = *options_.deadline;
      auto const now = Clock::now();
      if (now >= deadline) {
        read_stream();
        launch_.timed_out = true;
        launch_.out_of_time = budget_first;
        break;
      }
      auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1;
      // Without a pidfd (or once the pipe is closed), look for the end every few milliseconds.
      if (pidfd < 0 || stream_fd_ < 0) wait = std::min<long>(wait, 10);
      std::array<pollfd, 2> fds{{{stream_fd_, POLLIN, 0}, {pidfd, POLLIN, 0}}};
      int const ready = ::poll(fds.data(), fds.size(), static_cast<int>(wait));
      if (ready < 0 && errno != EINTR) break;
      if (fds[0].revents != 0) read_stream();
      exited = pidfd >= 0 ? fds[1].revents != 0 : has_exited(pid);
    }
    if (exited) read_stream();
    // Kill the whole group before reaping the leader: helpers it started go too, and the group's
    // id cannot be reused while the leader is an unreaped zombie.
    ::kill(-pid, SIGKILL);
    launch_.status = wait_for(pid);
    if (pidfd >= 0) ::close(pidfd);
  }

  void read_stream() {
    std::array<char, 16384> buffer;
    while (stream_fd_ >= 0) {
      auto n = ::read(stream_fd_, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return;  // EAGAIN: nothing more for now
      if (n == 0) {
        close_fd(stream_fd_);
        return;
      }
      pending_.append(buffer.data(), static_cast<std::size_t>(n));
      bytes_read_ += static_cast<std::size_t>(n);
      if (options_.output_cap > 0 && bytes_read_ > options_.output_cap) {
        launch_.too_much_output = true;
        return;  // watch() stops the program; what is left unread does not matter
      }
      std::size_t begin = 0;
      std::size_t newline;
      while ((newline = pending_.find('\n', begin)) != std::string::npos) {
        handle_line(std::string_view(pending_).substr(begin, newline - begin), true);
        begin = newline + 1;
      }
      pending_.erase(0, begin);
      // A line this long is no reporter line: pass it on as output rather than hold it.
      if (pending_.size() > max_pending_) {
        add_output(pending_);
        pending_.clear();
      }
    }
  }

  // A line is a reporter event, output, or output without a newline followed by an event (a
  // test that printed "x" to unbuffered stderr just before the reporter's line).
  void handle_line(std::string_view line, bool had_newline) {
    if (auto event = event_in(line)) {
      handle_event(*event);
      return;
    }
    for (std::string_view marker : {"start\t", "end\t"}) {
      for (auto at = line.rfind(marker); at != std::string_view::npos && at > 0;
           at = line.rfind(marker, at - 1)) {
        if (auto event = event_in(line.substr(at))) {
          add_output(line.substr(0, at));
          handle_event(*event);
          return;
        }
      }
    }
    add_output(line);
    if (had_newline) add_output("\n");
  }

  // The reporter's event on `line`, if it is one: with signed results only a line whose tag is
  // right for the next line number counts.
  std::optional<wb::testing::Event> event_in(std::string_view line) {
    if (!key_) return wb::testing::parse_line(line);
    auto const verified = wb::testing::verify_line(*key_, sequence_, line);
    if (!verified) return std::nullopt;
    auto event = wb::testing::parse_line(*verified);
    if (event) ++sequence_;
    return event;
  }

  void add_output(std::string_view text) {
    append_bounded(launch_.output, launch_.output_truncated, text, output_limit_);
    if (current_) {
      append_bounded(current_output_, current_truncated_, text, output_limit_);
    } else if (!launch_.finished.empty()) {
      append_bounded(launch_.output_after_last_test, after_truncated_, text, output_limit_);
    }
  }

  void handle_event(wb::testing::Event const& event) {
    last_event_ = Clock::now();
    if (event.is_start) {
      current_ = event.result.name;
      current_started_ = last_event_;
      current_output_.clear();
      current_truncated_ = false;
      launch_.started_any = true;
      return;
    }
    Verdict test = event.result;
    if (current_ && *current_ == test.name) {
      test.output = std::move(current_output_);
      test.output_truncated = current_truncated_;
      test.duration = since(current_started_);
    }
    current_.reset();
    current_output_.clear();
    launch_.output_after_last_test.clear();
    after_truncated_ = false;
    launch_.finished.push_back(std::move(test));
  }

  static constexpr std::size_t max_pending_ = 1u << 20;

  RunOptions const& options_;
  std::size_t output_limit_;
  Launch launch_;
  std::optional<wb::testing::ResultKey> key_;
  std::uint64_t sequence_ = 0;  // the number the next signed line must carry
  std::size_t bytes_read_ = 0;
  int stream_fd_ = -1;
  std::string pending_;
  std::optional<std::string> current_;
  Clock::time_point current_started_;
  Clock::time_point last_event_;
  std::string current_output_;
  bool current_truncated_ = false;
  bool after_truncated_ = false;
};

// The first report of a sanitizer (or of the C++ runtime: "terminate called …") in the output
// of the test, else of the whole launch; `sanitizer` says whether a sanitizer made it.
struct ProblemReport {
  std::string text;
  bool sanitizer = false;
};

std::optional<ProblemReport> problem_report(std::string_view output) {
  if (auto report = find_sanitizer_report(output)) return ProblemReport{report->summary(), true};
  if (auto line = sanitizer_line(output)) return ProblemReport{*line, false};
  return std::nullopt;
}

std::optional<ProblemReport> problem_report(Launch const& launch, std::string_view test_output) {
  if (auto report = problem_report(test_output)) return report;
  return problem_report(launch.output);
}

/// How the process ended in the middle of a test (or before the tests left), when it was not
/// stopped by the runner.
TestEnd interruption_end(Launch const& launch, std::string_view test_output) {
  if (!launch.verdict.empty()) return TestEnd::watchdog;
  if (launch.status.signaled()) return TestEnd::crashed;
  auto const report = problem_report(launch, test_output);
  return report && report->sanitizer ? TestEnd::stopped_by_sanitizer : TestEnd::exited;
}

/// Why the process ended in the middle of a test, in words.
std::string interruption_message(Launch const& launch, Verdict const& test) {
  if (!launch.verdict.empty()) return launch.verdict;
  auto const report = problem_report(launch, test.output);
  if (launch.status.signaled()) {
    auto text = fmt::format("crashed with {}", signal_name(launch.status.value));
    if (report) text += ": " + report->text;
    return text;
  }
  if (report) return report->text;
  return fmt::format("the program ended in the middle of this test ({})", describe(launch.status));
}

/// How a launch ended: the one reading of its facts, for the test it stopped (whose output is
/// `test_output`) and the tests it did not reach alike.
TestEnd launch_end(Launch const& launch, std::string_view test_output) {
  if (launch.too_much_output) return TestEnd::too_much_output;
  if (launch.out_of_time) return TestEnd::out_of_time;
  if (launch.timed_out) return TestEnd::timed_out;
  return interruption_end(launch, test_output);
}

/// Catch2 reports a fatal signal as the failure of the test it hit ("SIGSEGV - Segmentation
/// violation signal") before the process dies of it: that test crashed, and what was printed
/// after its line is its output too. Returns whether the launch's crash is a test's failure.
bool credit_crash(Launch& launch, RunOptions const& options) {
  bool const died_of_signal = launch.status.signaled() && !launch.timed_out;
  if (launch.interrupted || !died_of_signal || launch.finished.empty()) return false;
  auto& last = launch.finished.back();
  if (last.reason != Reason::crashed) return false;
  append_bounded(last.output, last.output_truncated, launch.output_after_last_test,
                 options.output_limit);
  last.message = fmt::format("crashed with {}", signal_name(launch.status.value));
  if (auto line = sanitizer_line(last.output)) last.message += ": " + *line;
  return true;
}

/// What is worth knowing about the end of a launch that left no test to run, if anything.
std::optional<std::string> note_after_last_test(Launch const& launch, bool crash_credited,
                                                RunOptions const& options) {
  if (launch.interrupted) return std::nullopt;
  if (launch.timed_out) {
    return fmt::format("the program was still running {} after its last test and was stopped",
                       duration_text(options.time_limit));
  }
  if (launch.status.signaled() && !crash_credited) {
    return fmt::format("the program crashed with {} after its last test",
                       signal_name(launch.status.value));
  }
  // LeakSanitizer reports when the process ends, after every test
  if (auto late = find_sanitizer_report(launch.output_after_last_test)) {
    return fmt::format("after the last test: {}", late->summary());
  }
  return std::nullopt;
}

/// The message of the test that was running when the launch ended `end`.
std::string interrupted_message(TestEnd end, Launch const& launch, Verdict const& test,
                                RunOptions const& options) {
  switch (end) {
    case TestEnd::too_much_output:
      return fmt::format("printed more than {} bytes of output and was stopped",
                         options.output_cap);
    case TestEnd::out_of_time:
      return "stopped: the time for this submission ran out during this test";
    case TestEnd::timed_out:
      return launch.verdict.empty() ? hang_message(options.time_limit) : launch.verdict;
    default:
      return interruption_message(launch, test);
  }
}

/// The verdict of the test a launch stopped in the middle (it ended `end`).
Verdict stopped_test(Launch& launch, TestEnd end, RunOptions const& options) {
  auto test = std::move(*launch.interrupted);
  test.status = Status::fail;
  test.message = interrupted_message(end, launch, test, options);
  if (!launch.verdict.empty()) {
    test.oracle = launch.verdict_oracle;
    // the watchdog also printed its verdict; it is the message now, not output
    if (auto at = test.output.find(launch.verdict); at != std::string::npos) {
      test.output.erase(at, launch.verdict.size());
    }
  }
  return test;
}

constexpr std::string_view out_of_time_message =
    "did not run: the time for this submission ran out before this test";

/// What the tests are marked with that a launch ending `end` between tests did not reach.
struct NotReached {
  std::string message;
  TestEnd end;
};

/// The tests left when a launch ended between tests: marked (the run is over), or nothing (it
/// got somewhere before it died: the program starts again for the rest).
std::optional<NotReached> not_reached(TestEnd end, Launch const& launch, bool clean_exit,
                                      RunOptions const& options) {
  switch (end) {
    case TestEnd::too_much_output:
      return NotReached{
          fmt::format(
              "did not run: the program printed more than {} bytes of output and was stopped",
              options.output_cap),
          end};
    case TestEnd::out_of_time:
      return NotReached{std::string(out_of_time_message), end};
    case TestEnd::timed_out:
      return NotReached{launch.started_any
                            ? fmt::format("did not run: the program stopped between tests for "
                                          "more than {} and was killed",
                                          duration_text(options.time_limit))
                            : fmt::format("did not run: the program started no test within {}",
                                          duration_text(options.time_limit)),
                        end};
    default:
      break;
  }
  if (clean_exit) {
    if (!options.tests_are_known) {
      return NotReached{"did not run: the test program has no test of this name",
                        TestEnd::did_not_run};
    }
    return NotReached{fmt::format("did not run: the program ended ({}) before this test started",
                                  describe(launch.status)),
                      end};
  }
  if (!launch.finished.empty()) return std::nullopt;
  auto reason = !launch.verdict.empty()    ? launch.verdict
                : launch.status.signaled() ? "crashed with " + signal_name(launch.status.value)
                                           : "ended with " + describe(launch.status);
  if (auto line = sanitizer_line(launch.output); line && launch.verdict.empty()) {
    reason += ": " + *line;
  }
  return NotReached{fmt::format("did not run: the program {} before this test", reason), end};
}

// A test the program reported, with what the runner saw around it: a sanitizer's report while
// it ran fails a test that passed, and comes first in the message of one that failed.
Verdict with_sanitizer_reports(Verdict test) {
  if (test.status == Status::pass && has_sanitizer_report(test.output)) {
    test.status = Status::fail;
    test.reason = Reason::sanitizer;
    test.message = fmt::format("a sanitizer reported a problem during this test: {}",
                               sanitizer_line(test.output).value_or("see the output"));
  } else if (test.status == Status::fail && contains(test.output, "WARNING: ThreadSanitizer:")) {
    // ThreadSanitizer goes on after a race, and writing its report stalls the racing thread
    // for a while (a poll past the watchdog's limit): the race comes first, and is the cause.
    test.message = fmt::format(
        "a sanitizer reported a problem during this test: {}\n(after that report the test "
        "failed too: {})",
        sanitizer_line(test.output).value_or("see the output"), test.message);
    test.reason = Reason::sanitizer;
  }
  return test;
}

Verdict with_reason(Verdict test, Reason reason) {
  test.reason = reason;
  return test;
}

/// The verdicts of a run as they come in, over every launch: the tests wanted, in their order,
/// and those reported that nobody asked for.
class TestResults {
 public:
  explicit TestResults(std::vector<std::string> wanted) : wanted_(std::move(wanted)) {}

  /// `end`: how the test ended when the program did not report it (reported: it did).
  void record(Verdict test, TestEnd end) {
    test = end == TestEnd::reported ? with_sanitizer_reports(std::move(test))
                                    : with_reason(std::move(test), reason_of(end));
    if (!results_.contains(test.name) &&
        std::find(wanted_.begin(), wanted_.end(), test.name) == wanted_.end()) {
      extra_order_.push_back(test.name);
    }
    results_[test.name] = std::move(test);
  }

  std::vector<std::string> remaining() const {
    std::vector<std::string> out;
    for (auto const& name : wanted_) {
      if (!results_.contains(name)) out.push_back(name);
    }
    return out;
  }

  /// Every test left fails with `message`; `end` is what kept them from starting.
  void mark_remaining(std::string const& message, TestEnd end) {
    for (auto const& name : remaining()) {
      Verdict test;
      test.name = name;
      test.status = Status::fail;
      test.message = message;
      test.reason = reason_of(end);
      test.ran = false;
      results_[name] = std::move(test);
    }
  }

  /// Whether the tests wanted are known (a list was given, or learnt).
  bool knows_the_list() const { return !wanted_.empty(); }
  /// The program's own list, when none was given: `names`, then any reported test it lacks.
  void learn_the_list(std::vector<std::string> names) {
    wanted_ = std::move(names);
    for (auto const& name : extra_order_) {
      if (std::find(wanted_.begin(), wanted_.end(), name) == wanted_.end()) {
        wanted_.push_back(name);
      }
    }
    extra_order_.clear();
  }
  std::size_t wanted_count() const { return wanted_.size(); }

  /// The verdicts: the tests wanted in order, then the others in the order reported.
  std::vector<Verdict> take() {
    std::vector<Verdict> out;
    for (auto const& name : wanted_) {
      if (auto found = results_.find(name); found != results_.end()) {
        out.push_back(std::move(found->second));
        results_.erase(found);
      }
    }
    for (auto const& name : extra_order_) {
      if (auto found = results_.find(name); found != results_.end()) {
        out.push_back(std::move(found->second));
      }
    }
    return out;
  }

 private:
  std::vector<std::string> wanted_;
  std::map<std::string, Verdict> results_;
  std::vector<std::string> extra_order_;  // reported tests nobody asked for, in report order
};

// A test name as a line of a Catch2 input file (-f), which reads each line as a test spec: a
// backslash makes the spec syntax characters plain.
std::string filter_line(std::string_view name) {
  std::string line;
  for (char c : name) {
    if (c == ',' || c == '[' || c == ']' || c == '\\' || c == '*' || c == '"' || c == '~') {
      line += '\\';
    }
    line += c;
  }
  return line;
}

fs::path make_scratch_dir(fs::path const& base) {
  fs::path parent = base;
  if (parent.empty()) {
    char const* tmp = std::getenv("TMPDIR");
    parent = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  }
  std::error_code ignored;
  fs::create_directories(parent, ignored);
  std::string pattern = (parent / "wb-run-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return {};
  return pattern;
}

}  // namespace

std::optional<std::vector<std::string>> list_tests(fs::path const& program) {
  for (auto const& flags : {std::vector<std::string>{"--list-test-names-only"},
                            std::vector<std::string>{"--list-tests", "--verbosity", "quiet"}}) {
    std::vector<std::string> argv = {program.string()};
    argv.insert(argv.end(), flags.begin(), flags.end());
    auto result = run_command(argv);
    if (!result.started) return std::nullopt;
    if (result.status.signaled() || contains(result.output, "Unrecognised token")) continue;
    std::vector<std::string> names;
    for (auto const& line : split_lines(result.output)) {
      if (!trim(line).empty()) names.emplace_back(trim(line));
    }
    return names;
  }
  return std::nullopt;
}

RunReport run_tests(RunOptions const& options) {
  RunReport report;
  auto const scratch = make_scratch_dir(options.scratch_dir);
  if (scratch.empty()) {
    report.error = "could not create a temporary folder for the test run";
    return report;
  }
  // A program started through a launcher may run as another user: it must read the test list
  // and write the watchdog's verdict here (the folder that holds this one keeps others out).
  if (!options.launcher.empty()) ::chmod(scratch.c_str(), 0777);
  auto const filter_file = scratch / "tests.txt";
  auto const verdict_file = scratch / "verdict.txt";

  TestResults results(options.tests);
  bool filtered = results.knows_the_list();
  int hangs = 0;
  // Each new start resolves at least one test, so this bound is only a guard.
  auto const max_launches = [&] { return static_cast<int>(results.wanted_count()) + 2; };
  while (report.launches < max_launches()) {
    if (options.deadline && Clock::now() >= *options.deadline) {
      results.mark_remaining(std::string(out_of_time_message), TestEnd::out_of_time);
      break;
    }
    std::vector<std::string> argv = {options.program.string(), "-r", "wb", "-o", "/dev/fd/3"};
    if (filtered) {
      std::ofstream filter(filter_file, std::ios::trunc);
      for (auto const& name : results.remaining()) filter << filter_line(name) << "\n";
      argv.insert(argv.end(), {"-f", filter_file.string()});
    }
    ++report.launches;
    auto launch = LaunchMonitor(options, options.output_limit).run(argv, verdict_file);
    if (!launch.error.empty()) {
      report.error = launch.error;
      break;
    }
    append_bounded(report.output, report.output_truncated, launch.output, options.output_limit);
    bool const crash_credited = credit_crash(launch, options);
    for (auto& test : launch.finished) results.record(std::move(test), TestEnd::reported);

    auto const end =
        launch_end(launch, launch.interrupted ? launch.interrupted->output : std::string_view());
    if (launch.interrupted) {
      if (end == TestEnd::timed_out || end == TestEnd::watchdog) ++hangs;
      results.record(stopped_test(launch, end, options), end);
    }
    if (options.max_hangs > 0 && hangs >= options.max_hangs && !results.remaining().empty()) {
      results.mark_remaining(
          fmt::format("did not run: skipped after {} tests hung (fix the hang, then "
                      "check again)",
                      hangs),
          TestEnd::skipped);
      break;
    }

    bool const clean_exit = !launch.timed_out && launch.status.kind == ExitStatus::Kind::exited &&
                            launch.verdict.empty() && !sanitizer_line(launch.output);
    if (!clean_exit && !results.knows_the_list()) {
      // Running every test without a list, and the run broke off: learn the list now, to know
      // which tests are left.
      if (auto names = list_tests(options.program)) results.learn_the_list(std::move(*names));
    }
    if (results.remaining().empty()) {
      if (auto note = note_after_last_test(launch, crash_credited, options)) {
        report.notes.push_back(std::move(*note));
      }
      break;
    }
    filtered = true;
    if (launch.interrupted) continue;  // start again for the tests not reached

    // The program ended (or was stopped) between tests, with tests left.
    if (auto marked = not_reached(end, launch, clean_exit, options)) {
      results.mark_remaining(marked->message, marked->end);
      break;
    }
  }
  report.hangs = hangs;
  if (!report.error.empty()) {
    results.mark_remaining("did not run: " + report.error, TestEnd::did_not_run);
  } else {
    results.mark_remaining(
        fmt::format("did not run: the program was started {} times without finishing",
                    report.launches),
        TestEnd::did_not_run);
  }

  report.tests = results.take();
  std::error_code ignored;
  fs::remove_all(scratch, ignored);
  return report;
}

}  // namespace wb::run
