#include "wb/cli/tsan_stage.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <system_error>

#include "wb/run/build.hpp"
#include "wb/run/process.hpp"

namespace wb::cli {
using namespace wb::run;
namespace fs = std::filesystem;
using wb::testing::Status;

namespace {

/// Configures build/tsan from the `tsan` preset with the compiler of the learner's own tree;
/// an empty string when it is ready, else what went wrong.
std::string configure_tsan_tree(Session const& session, fs::path const& tree) {
  std::error_code error;
  if (fs::exists(tree / "build.ninja", error)) return {};
  std::vector<std::string> argv = {"cmake", "--preset", "tsan"};
  if (auto compiler = cmake_cache_value(session.paths.build_dir, "CMAKE_CXX_COMPILER");
      !compiler.empty()) {
    argv.push_back("-DCMAKE_CXX_COMPILER=" + compiler);
  }
  auto const log = session.paths.logs_dir() / "tsan-configure.log";
  fs::create_directories(log.parent_path(), error);
  session.term.status("setting up the ThreadSanitizer build (first time only)…");
  auto const result = run_command_to_file(argv, log, session.paths.root);
  session.term.clear_status();
  if (result.success()) return {};
  fs::remove(tree / "CMakeCache.txt", error);  // configured again next time, from scratch
  return fmt::format("configuring {} failed (see {})", session.paths.shown(tree).string(),
                     session.paths.shown(log).string());
}

}  // namespace

bool is_tsan_tree(fs::path const& build_dir) {
  return cmake_cache_value(build_dir, "WB_SANITIZERS").find("thread") != std::string::npos;
}

void merge_tsan_outcome(ExerciseOutcome& outcome, ExerciseOutcome const& under_tsan) {
  for (auto const& seen : under_tsan.tests) {
    if (seen.status == Status::pass) continue;
    auto const test =
        std::find_if(outcome.tests.begin(), outcome.tests.end(),
                     [&](TestOutcome const& candidate) { return candidate.name == seen.name; });
    if (test == outcome.tests.end() || test->status != Status::pass) continue;
    test->status = Status::fail;
    test->reason = seen.reason;
    test->oracle = seen.oracle;
    test->ran = seen.ran;
    test->message = fmt::format(
        "Under ThreadSanitizer (this exercise's code runs on several threads, so check runs "
        "its tests there too once they pass): {}",
        seen.message.empty() ? std::string("the test failed without a message") : seen.message);
    test->trace = seen.trace;
    test->trace_diagram = seen.trace_diagram;
    test->output = seen.output;
    test->output_truncated = seen.output_truncated;
  }
}

TsanStage run_tsan_stage(Session const& session, course::ChapterManifest const& chapter,
                         std::vector<ExerciseOutcome>& outcomes, bool trace) {
  TsanStage stage;
  auto const& paths = session.paths;
  if (is_tsan_tree(paths.build_dir)) return stage;  // the first run was under it already

  std::vector<std::size_t> ready;  // indexes into outcomes
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    auto const* exercise = chapter.exercise(outcomes[i].exercise);
    if (exercise == nullptr || !exercise->threads) continue;
    if (outcomes[i].all_passed()) {
      ready.push_back(i);
    } else {
      stage.waiting.push_back(exercise->name);
    }
  }
  if (ready.empty()) return stage;

  auto const tree = paths.root / "build" / "tsan";
  auto give_up = [&](std::string problem) {
    stage.problem = std::move(problem);
    for (auto const i : ready) stage.waiting.push_back(outcomes[i].exercise);
    return stage;
  };
  if (auto problem = configure_tsan_tree(session, tree); !problem.empty()) {
    return give_up(std::move(problem));
  }
  std::vector<std::string> targets;
  for (auto const i : ready) targets.push_back(outcomes[i].target);
  auto const log = paths.logs_dir() / fmt::format("check-{}-tsan.log", chapter.id);
  session.term.status(fmt::format("building {} under ThreadSanitizer…", chapter.id));
  auto const build = build_targets({tree, targets, log});
  session.term.clear_status();
  if (!build.error.empty() || build.setup_failed()) {
    return give_up(
        fmt::format("the ThreadSanitizer build stopped (see {})", paths.shown(log).string()));
  }

  for (auto const i : ready) {
    auto& outcome = outcomes[i];
    auto const& exercise = *chapter.exercise(outcome.exercise);
    if (!build.built(outcome.target, targets)) {
      // It compiled for AddressSanitizer: not the learner's mistake, most likely the tree's.
      stage.waiting.push_back(exercise.name);
      stage.problem = fmt::format("{} did not build under ThreadSanitizer (see {})", outcome.target,
                                  paths.shown(log).string());
      continue;
    }
    session.term.status(fmt::format("running {} under ThreadSanitizer…", outcome.target));
    RunOptions run;
    run.scratch_dir = tree / "tmp";
    run.max_hangs = 2;
    // Threads that outlive main (an oracle's watchdog) would make every exit sleep a second.
    run.env.emplace_back("TSAN_OPTIONS", "atexit_sleep_ms=0");
    if (trace) run.env.emplace_back("WB_TRACE", "1");
    auto const under_tsan = run_exercise(chapter, exercise, outcome.target,
                                         tree / "chapters" / chapter.id / outcome.target, run);
    session.term.clear_status();
    merge_tsan_outcome(outcome, under_tsan);
    stage.checked.push_back(exercise.name);
  }
  return stage;
}

}  // namespace wb::cli
