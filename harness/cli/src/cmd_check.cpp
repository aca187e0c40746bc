// `workbook check CH`: build the chapter's exercises, run their tests under the time limit, and
// print one line per test, the verdict and next hint of each failure, the score and what to do
// next. Exit 0 when every test passes, 1 when some fail, 2 when nothing could be graded.
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

#include "wb/cli/command_spec.hpp"
#include "wb/cli/commands.hpp"
#include "wb/cli/compile_hints.hpp"
#include "wb/cli/pristine.hpp"
#include "wb/cli/record_check.hpp"
#include "wb/cli/tsan_stage.hpp"
#include "wb/course/files.hpp"
#include "wb/run/build.hpp"
#include "wb/run/exercise_outcome.hpp"
#include "wb/run/sanitizer_report.hpp"
#include "wb/text/text.hpp"

namespace wb::cli {
using namespace wb::run;
using namespace wb::text;
namespace fs = std::filesystem;
using wb::testing::Reason;
using wb::testing::Status;

namespace {

constexpr std::size_t output_lines_shown = 20;

std::string icon(Terminal const& term, Status status) {
  switch (status) {
    case Status::pass:
      return term.green("✓");
    case Status::fail:
      return term.red("✗");
    case Status::not_started:
      return term.yellow("·");
  }
  return "?";
}

std::string files_to_edit(course::ChapterManifest const& chapter,
                          course::ExerciseManifest const& exercise) {
  std::vector<std::string> paths;
  for (auto const& file : exercise.files) {
    paths.push_back((fs::path("chapters") / chapter.slug / file).generic_string());
  }
  if (paths.size() == 1) return paths.front();
  std::string text;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    text += paths[i];
    text += i + 2 == paths.size() ? " and " : (i + 1 < paths.size() ? ", " : "");
  }
  return text;
}

// A failure's message without its oracle's name and numbers, to notice one mistake reported by
// several oracles ("Poll #1 returned Pending …" under parking, "Poll #2 …" under spurious). An
// oracle's verdict starts with its name and ": ".
std::string message_gist(TestOutcome const& test) {
  // With its --trace timeline: each oracle's failure is then shown with its own.
  auto const whole = test.trace.empty() ? test.message : test.message + "\n\n" + test.trace;
  std::string_view message = whole;
  if (auto const colon = message.find(": "); !test.oracle.empty() && colon != message.npos) {
    message.remove_prefix(colon + 2);
  }
  std::string gist;
  bool in_number = false;
  for (char c : message) {
    bool const digit = c >= '0' && c <= '9';
    if (!digit)
      gist += c;
    else if (!in_number)
      gist += '#';
    in_number = digit;
  }
  return gist;
}

fs::path output_log(Session const& session, std::string const& chapter_id) {
  return session.paths.logs_dir() / fmt::format("check-{}-output.log", chapter_id);
}

// Everything each test printed, for when the excerpts under the failures are not enough.
void write_output_log(fs::path const& file, std::vector<ExerciseOutcome> const& outcomes) {
  std::ofstream out(file, std::ios::trunc);
  for (auto const& outcome : outcomes) {
    for (auto const& test : outcome.tests) {
      if (test.output.empty()) continue;
      out << "=== " << outcome.exercise << ": " << test.name << "\n" << test.output;
      if (!test.output.ends_with("\n")) out << "\n";
      if (test.output_truncated) out << "[… cut: the runner keeps the first 64 KiB]\n";
    }
  }
}

void print_program_output(Session const& session, TestOutcome const& test, fs::path const& log,
                          std::string_view indent) {
  auto const& term = session.term;
  auto const condensed = condense_sanitizer_output(test.output);
  auto const shown = excerpt(session.shorten(condensed), output_lines_shown);
  if (shown.lines.empty()) return;
  fmt::print("{}{}\n", indent, term.dim("your program printed:"));
  for (auto const& line : shown.lines) fmt::print("{}  {} {}\n", indent, term.dim("│"), line);
  if (shown.lines_left_out > 0) {
    fmt::print("{}  {}\n", indent,
               term.dim(fmt::format("… {} more line{}", shown.lines_left_out,
                                    shown.lines_left_out == 1 ? "" : "s")));
  }
  if (shown.lines_left_out > 0 || test.output_truncated || condensed.size() != test.output.size()) {
    fmt::print("{}  {}\n", indent, term.dim("all of it: " + session.paths.shown(log).string()));
  }
}

// The lines before the error give the context a compiler's single quoted line lacks (a missing
// ';' is reported on the line after it).
void print_source_context(Terminal const& term, Diagnostic const& error) {
  auto const lines = split_lines(course::read_text_file(error.file));
  if (error.line < 1 || static_cast<std::size_t>(error.line) > lines.size()) {
    if (!error.source_line.empty()) fmt::print("    {:>5} | {}\n", error.line, error.source_line);
  } else {
    for (int n = std::max(1, error.line - 2); n <= error.line; ++n) {
      auto const& code = lines[static_cast<std::size_t>(n - 1)];
      if (n < error.line && trim(code).empty()) continue;
      fmt::print("    {:>5} | {}\n", n, n == error.line ? code : term.dim(code));
    }
  }
  if (!error.caret.empty()) fmt::print("    {:>5} | {}\n", "", term.green(error.caret));
}

void print_compile_error(Session const& session, ExerciseOutcome const& outcome,
                         fs::path const& log) {
  auto const& term = session.term;
  fmt::print("\n{} {} does not compile\n", term.red("✗"), term.bold(outcome.exercise));
  auto const shown = [&](std::string const& file) {
    return session.paths.shown(fs::path(file)).generic_string();
  };
  if (auto const& error = outcome.compile_error) {
    auto const where = fmt::format("{}:{}:{}:", shown(error->file), error->line, error->column);
    auto const text =
        fmt::format("{} {} {}", where, error->severity + ":", fold_template_noise(error->message));
    auto wrapped = wrap_hanging(text, term.width(), "    ", "      ");
    // colour the location and severity on the first line only
    if (term.colour() && wrapped.size() > 4 + where.size()) {
      wrapped = "    " + term.bold(where) + " " + term.red(error->severity + ":") +
                wrapped.substr(4 + where.size() + 1 + error->severity.size() + 1);
    }
    fmt::print("{}", wrapped);
    print_source_context(term, *error);
    for (auto const& note : error->notes) {
      auto const where_note =
          note.line > 0
              ? fmt::format(" ({}:{})", fs::path(note.file).filename().string(), note.line)
              : std::string();
      fmt::print("{}", wrap(fmt::format("{} {}{}", term.cyan("note:"),
                                        fold_template_noise(note.message), term.dim(where_note)),
                            term.width(), "    "));
    }
    if (auto const hint = explain_compile_error(*error)) {
      auto text = wrap_hanging(fmt::format("what this usually means: {}", hint->text), term.width(),
                               "    ", "      ");
      fmt::print("{}", text);
    }
  } else {
    fmt::print("{}", wrap(outcome.compile_problem, term.width(), "    "));
  }
  fmt::print("    {} {}\n", term.dim("full log:"), session.paths.shown(log).string());
}

void print_failure(Session const& session, TestOutcome const& test,
                   std::optional<std::string> const& test_hint, fs::path const& log) {
  auto const& term = session.term;
  fmt::print("\n{} {}\n", term.red("✗"), term.bold(test.name));
  auto const message = test.message.empty() ? "failed (no message)" : session.shorten(test.message);
  fmt::print("{}", wrap(message, term.width(), "    "));
  // A --trace timeline is a table: printed as it is, not wrapped as prose.
  if (!test.trace.empty()) {
    fmt::print("\n");
    for (auto const& line : split_lines(session.shorten(test.trace))) {
      fmt::print("    {}\n", term.dim(line));
    }
  }
  print_program_output(session, test, log, "    ");
  if (test_hint) {
    auto text =
        wrap_hanging(fmt::format("hint: {}", *test_hint), term.width(), "    ", "          ");
    fmt::print("{}{}", term.cyan(text.substr(0, 9)), text.substr(9));
  }
}

// What WB_TODO said and where it is, once per exercise.
void print_not_started(Session const& session, ExerciseOutcome const& outcome) {
  auto const& term = session.term;
  for (auto const& test : outcome.tests) {
    if (test.status != Status::not_started) continue;
    auto const& message = test.message;
    auto const& where = test.location;
    auto const count = outcome.count(Status::not_started);
    fmt::print("\n{} {}: {} not started yet. {}\n", term.yellow("·"), term.bold(outcome.exercise),
               count == 1 ? "1 test is" : fmt::format("{} tests are", count),
               where.empty() ? "The WB_TODO says:" : fmt::format("The WB_TODO at {} says:", where));
    fmt::print("{}", wrap(message, term.width(), "    "));
    return;
  }
}

struct TracedTest {
  std::string exercise;
  std::string test;
  std::string diagram;  // Mermaid
};

/// Writes the diagrams of the traced failures to .workbook/traces/<chapter>.md, which the book
/// shows on the chapter's page, and says where they are.
void report_traces(Session const& session, std::string const& chapter,
                   std::vector<TracedTest> const& traced) {
  auto const& term = session.term;
  auto const file = session.paths.state_dir() / "traces" / (chapter + ".md");
  if (traced.empty()) {
    fmt::print("\n{}", term.dim(wrap("--trace: no oracle gave a verdict this time, so there is "
                                     "no poll-by-poll timeline to show (a trace is recorded "
                                     "for the failures the oracles see)",
                                     term.width(), "")));
    return;
  }
  std::string text = fmt::format(
      "Poll-by-poll timelines of the failures of the last `check {} --trace`: the oracle's polls, "
      "your future's answers and the wake-ups (from which thread, which waker).\n",
      chapter);
  for (auto const& test : traced) {
    text += fmt::format("\n#### {} · {}\n\n```mermaid\n{}```\n", test.exercise, test.test,
                        test.diagram);
  }
  try {
    std::filesystem::create_directories(file.parent_path());
    course::write_file_atomically(file, text);
    fmt::print("\n{}",
               term.dim(wrap(fmt::format("--trace: the timelines above, as diagrams, are in {} and "
                                         "on the chapter's page in the book (scripts/workbook "
                                         "book serve)",
                                         session.paths.shown(file).string()),
                             term.width(), "")));
  } catch (std::exception const& error) {
    session.warning(
        fmt::format("could not write {}: {}", session.paths.shown(file).string(), error.what()));
  }
}

// The build targets of the chapter's exercises, in chapter.toml's order; nothing (after saying
// why) when an exercise has no test file.
std::optional<std::vector<std::string>> exercise_targets(Session const& session,
                                                         course::ChapterManifest const& chapter) {
  std::vector<std::string> targets;
  for (auto const& exercise : chapter.exercises) {
    auto const test_file = chapter.dir / (exercise.name + "_test.cpp");
    if (!fs::exists(test_file)) {
      session.error(fmt::format("chapter.toml of {} lists the exercise \"{}\", but there is no {}",
                                chapter.id, exercise.name,
                                session.paths.shown(test_file).string()));
      return std::nullopt;
    }
    targets.push_back(chapter.target(exercise));
  }
  return targets;
}

// Builds the chapter's programs; nothing (after saying why) when the build could not even get
// to compiling them. A program that does not compile is not an error here: its exercise says so.
std::optional<BuildOutcome> build_chapter(Session const& session,
                                          course::ChapterManifest const& chapter,
                                          std::vector<std::string> const& targets) {
  auto const log = session.paths.logs_dir() / fmt::format("check-{}.log", chapter.id);
  session.term.status(fmt::format("building {}…", chapter.id));
  auto build = build_targets({session.paths.build_dir, targets, log});
  session.term.clear_status();
  if (!build.error.empty()) {
    session.error(fmt::format("cannot build {}: {}", chapter.id, build.error));
    fmt::print(stderr, "Run scripts/workbook doctor to see what is missing.\n");
    return std::nullopt;
  }
  if (build.setup_failed()) {
    session.error(fmt::format("the build stopped before compiling {} ({})", chapter.id,
                              describe(build.status)));
    auto const tail = excerpt(build.log, 400);
    auto const& lines = tail.lines;
    for (std::size_t i = lines.size() > 15 ? lines.size() - 15 : 0; i < lines.size(); ++i) {
      fmt::print(stderr, "  {}\n", lines[i]);
    }
    fmt::print(stderr, "full log: {}\n", session.paths.shown(log).string());
    return std::nullopt;
  }
  return build;
}

// Runs each exercise's program that was built; the others "do not compile".
std::vector<ExerciseOutcome> run_exercises(Session const& session,
                                           course::ChapterManifest const& chapter,
                                           std::vector<std::string> const& targets,
                                           BuildOutcome const& build, bool trace) {
  std::vector<ExerciseOutcome> outcomes;
  for (std::size_t i = 0; i < chapter.exercises.size(); ++i) {
    auto const& exercise = chapter.exercises[i];
    if (!build.built(targets[i], targets)) {
      outcomes.push_back(not_compiled(chapter, exercise, targets[i], build, targets));
      continue;
    }
    session.term.status(fmt::format("running {}…", targets[i]));
    RunOptions run;
    run.scratch_dir = session.paths.build_dir / "tmp";
    run.max_hangs = 2;
    if (trace) run.env.emplace_back("WB_TRACE", "1");  // the oracles record timelines
    outcomes.push_back(run_exercise(chapter, exercise, targets[i],
                                    session.paths.programs_dir(chapter.id) / targets[i], run));
    session.term.clear_status();
  }
  return outcomes;
}

bool among(std::vector<std::string> const& names, std::string const& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// One line per test, grouped by exercise.
void print_test_lines(Session const& session, course::ChapterManifest const& chapter,
                      std::vector<ExerciseOutcome> const& outcomes, TsanStage const& tsan) {
  auto const& term = session.term;
  fmt::print("{}\n", term.bold(fmt::format("{} · {}", chapter.id, chapter.title)));
  for (auto const& outcome : outcomes) {
    auto const& exercise = *chapter.exercise(outcome.exercise);
    fmt::print("\n  {} {}  {}\n", term.bold(exercise.name),
               exercise.title != exercise.name ? term.dim("— " + exercise.title) : "",
               term.dim(fmt::format("{}/{} points", outcome.points(), outcome.total())));
    for (auto const& test : outcome.tests) {
      fmt::print("    {} {}{}\n", icon(term, test.status), test.name,
                 outcome.compiled ? "" : term.dim("  (does not compile)"));
    }
    if (!outcome.run.error.empty()) {
      fmt::print("    {}\n",
                 term.red(fmt::format("could not run {}: {}", outcome.target, outcome.run.error)));
    }
    for (auto const& note : outcome.run.notes) fmt::print("    {}\n", term.dim("note: " + note));
    if (among(tsan.checked, exercise.name)) {
      fmt::print("    {}\n",
                 term.dim("run under ThreadSanitizer too (its code runs on several threads)"));
    } else if (among(tsan.waiting, exercise.name) && tsan.problem.empty()) {
      fmt::print("    {}\n", term.dim("once these pass, check runs them under ThreadSanitizer "
                                      "too (its code runs on several threads)"));
    }
  }
  if (!tsan.problem.empty()) {
    fmt::print("\n{} {}\n", term.yellow("not checked under ThreadSanitizer:"), tsan.problem);
  }
}

// What went wrong in one exercise, and what to try: each distinct failure in full (the same
// mistake seen by another oracle in one line), skipped tests in one line, the exercise's hint
// when no test had its own, and what the stub's WB_TODO says.
void print_exercise_failures(Session const& session, course::ChapterManifest const& chapter,
                             ExerciseOutcome const& outcome, int hint_level,
                             fs::path const& build_log) {
  auto const& term = session.term;
  auto const& exercise = *chapter.exercise(outcome.exercise);
  if (!outcome.compiled) {
    print_compile_error(session, outcome, build_log);
    return;
  }
  bool exercise_hint_needed = false;
  std::vector<std::string> seen;  // the gist of each failure shown in full
  bool after_full = false;
  std::size_t skipped = 0;  // tests not run after repeated hangs
  for (auto const& test : outcome.tests) {
    if (test.status != Status::fail) continue;
    if (test.reason == Reason::skipped) {
      ++skipped;
      continue;
    }
    auto const gist = message_gist(test);
    auto const earlier = std::find(seen.begin(), seen.end(), gist);
    if (earlier != seen.end() && !gist.empty()) {
      // The same mistake seen by another oracle: say so in one line, without the test's own
      // hint (written for a different mistake than this one).
      auto const& oracle = test.oracle;
      fmt::print(
          "{}{} {}  {}\n", after_full ? "\n" : "", term.red("✗"), term.bold(test.name),
          term.dim(oracle.empty() ? "(the same problem)" : "(the same problem, " + oracle + ")"));
      after_full = false;
      continue;
    }
    seen.push_back(gist);
    after_full = true;
    // A test's own hint is written for what its oracle catches, not for a crash.
    bool const crashed =
        test.ran && (test.reason == Reason::crashed || test.reason == Reason::exited);
    auto const own_hint = crashed ? std::nullopt : exercise.hint_for(test.name);
    print_failure(session, test, own_hint, output_log(session, chapter.id));
    exercise_hint_needed = exercise_hint_needed || !own_hint;
  }
  if (skipped > 0) {
    fmt::print(
        "\n{} {}\n", term.yellow("·"),
        term.dim(fmt::format("{} more test{} skipped after {} tests hung (fix the hang, then check "
                             "again)",
                             skipped, skipped == 1 ? "" : "s", outcome.run.hangs)));
  }
  if (exercise_hint_needed && !exercise.hints.empty()) {
    auto const shown_level = std::clamp(hint_level, 1, static_cast<int>(exercise.hints.size()));
    fmt::print("\n  {}\n", term.cyan(fmt::format("hint {} of {} for {}:", shown_level,
                                                 exercise.hints.size(), exercise.name)));
    fmt::print("{}", wrap(exercise.hint_at(hint_level), term.width(), "    "));
    if (shown_level < static_cast<int>(exercise.hints.size())) {
      fmt::print("    {}\n",
                 term.dim(fmt::format("a bigger hint: scripts/workbook hint {}", chapter.id)));
    }
  }
  print_not_started(session, outcome);
}

// The score, and what to do next. Returns whether every test passed.
bool print_score(Session const& session, course::ChapterManifest const& chapter,
                 std::vector<ExerciseOutcome> const& outcomes) {
  auto const& term = session.term;
  int points = 0;
  int total = 0;
  bool all_passed = true;
  for (auto const& outcome : outcomes) {
    points += outcome.points();
    total += outcome.total();
    all_passed = all_passed && outcome.all_passed();
  }
  fmt::print(
      "\n{} {}/{} points  {}\n", term.bold("score"), points, total,
      all_passed ? term.green(progress_bar(points, total, 20)) : progress_bar(points, total, 20));
  if (all_passed) {
    auto next = session.next_chapter(chapter);
    fmt::print("{}\n",
               term.green(next ? fmt::format("all tests pass — next: {}", next->id)
                               : std::string("all tests pass — that was the last chapter")));
    return true;
  }
  for (auto const& outcome : outcomes) {
    if (outcome.all_passed()) continue;
    fmt::print("{} edit {}, then run scripts/workbook check {}\n", term.bold("next:"),
               files_to_edit(chapter, *chapter.exercise(outcome.exercise)), chapter.id);
    break;
  }
  return false;
}

}  // namespace

int run_check(Session const& session, CheckOptions const& options) {
  auto const chapter_dir = session.resolve(options.chapter);
  if (!chapter_dir) return exit_usage;
  auto const chapter = session.load(*chapter_dir);
  if (!chapter) return exit_usage;
  auto const targets = exercise_targets(session, *chapter);
  if (!targets) return exit_usage;

  using Clock = std::chrono::steady_clock;
  auto const ms = [](Clock::duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  };
  auto const build_started = Clock::now();
  auto const build = build_chapter(session, *chapter, *targets);
  if (!build) return exit_usage;
  auto const build_ended = Clock::now();

  auto outcomes = run_exercises(session, *chapter, *targets, *build, options.trace);
  // Exercises whose code runs on several threads, once they pass: again under ThreadSanitizer.
  TsanStage tsan;
  if (!options.no_tsan) tsan = run_tsan_stage(session, *chapter, outcomes, options.trace);
  auto const runs_ended = Clock::now();

  write_output_log(output_log(session, chapter->id), outcomes);
  // --trace: the diagrams go to a file (and the chapter's page), the text under each failure.
  std::vector<TracedTest> traced;
  for (auto const& outcome : outcomes) {
    for (auto const& test : outcome.tests) {
      if (!test.trace_diagram.empty()) {
        traced.push_back({outcome.exercise, test.name, test.trace_diagram});
      }
    }
  }
  auto progress = session.load_progress();
  auto& chapter_progress = progress.chapter(chapter->id);

  print_test_lines(session, *chapter, outcomes, tsan);
  for (auto const& outcome : outcomes) {
    print_exercise_failures(session, *chapter, outcome,
                            chapter_progress.hint_level(outcome.exercise), build->log_file);
  }
  bool const all_passed = print_score(session, *chapter, outcomes);

  if (options.trace) report_traces(session, chapter->id, traced);
  record_check(chapter_progress, *chapter, outcomes);
  session.save_progress(progress);
  // Where the time went, for harness/bench/check_latency.
  if (char const* timings = std::getenv("WB_TIMINGS"); timings != nullptr && *timings != '\0') {
    fmt::print(stderr, "timings: start={} build={} run={} report={} total={}\n",
               ms(build_started - session.started), ms(build_ended - build_started),
               ms(runs_ended - build_ended), ms(Clock::now() - runs_ended),
               ms(Clock::now() - session.started));
  }
  return all_passed ? exit_ok : exit_failed;
}

CommandSpec check_command() {
  auto options = std::make_shared<CheckOptions>();
  return {"check",
          "Build a chapter's exercises and run their tests",
          {},
          {{"chapter", "The chapter: ch02, 2, future-concept …", &options->chapter, true},
           {"--trace",
            "With each failure an oracle sees, its poll-by-poll timeline (also as a diagram on "
            "the chapter's page)",
            &options->trace},
           {"--no-tsan",
            "Skip the second run under ThreadSanitizer of exercises whose code runs on several "
            "threads",
            &options->no_tsan}},
          {},
          [options](Session const& session) { return run_check(session, *options); }};
}

}  // namespace wb::cli
