// `workbook verify [CH...] [--no-build] [--json FILE]` (for authors; ctest runs it per chapter):
// proves each exercise is sound. Its stub's tests all report "not started", its solution's all
// pass, every mutant is caught by the tests its expect.toml names with the words it names (only
// those tests are run for it), every correct version written differently (expect.toml:
// correct = true) passes every test, every test has points in chapter.toml and every listed
// test exists, and every exercise has 3 hints.
// Every test must be worth at least one point (`workbook grade` scores by them) and no hint may be
// empty. It runs the stubs in chapters/, so it is meant for the pristine tree.
// It verifies what the tree builds: a tree of threaded exercises only (the tsan tree) names the
// others as verified in the debug tree, and a tree without wrong versions (the other compiler's)
// counts them as verified there.
#include <fmt/core.h>
#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <system_error>

#include "wb/cli/command_spec.hpp"
#include "wb/cli/commands.hpp"
#include "wb/cli/mutant.hpp"
#include "wb/run/build.hpp"
#include "wb/run/exercise_outcome.hpp"
#include "wb/text/text.hpp"

namespace wb::cli {
using namespace wb::run;
using namespace wb::text;
namespace fs = std::filesystem;
using wb::testing::Status;

namespace {

struct MutantResult {
  Mutant mutant;
  bool built = false;
  bool caught = false;
  std::string caught_by;       // the first test that failed
  std::string caught_message;  // the first line of its message
  std::vector<std::string> gaps;
};

struct ExerciseReport {
  std::string chapter;
  std::string exercise;
  std::size_t tests = 0;
  std::size_t stub_not_started = 0;
  std::size_t solution_passed = 0;
  bool stub_built = false;
  bool solution_built = false;
  std::vector<MutantResult> mutants;
  /// Wrong versions only one sanitizer judges, in a tree without it: verified in its trees.
  std::vector<Mutant> elsewhere;
  /// Wrong versions this tree does not build (WB_WRONG_VERSIONS sanitizer or none): verified in
  /// the debug tree.
  std::size_t wrong_versions_not_built = 0;
  /// Which wrong versions this tree builds: "all", "sanitizer" or "none".
  std::string wrong_versions_built = "all";
  /// False for an exercise a tree of threaded exercises only does not build.
  bool built_here = true;
  std::vector<std::string> gaps;

  /// Wrong versions (caught or not), and correct ones (passed or not): `caught` says the version
  /// got the verdict it should — at least the named failures for a wrong one, full marks for a
  /// correct one.
  std::size_t count_of(bool correct, bool only_caught) const {
    return static_cast<std::size_t>(
        std::count_if(mutants.begin(), mutants.end(), [&](MutantResult const& m) {
          return m.mutant.correct == correct && (!only_caught || m.caught);
        }));
  }
  std::size_t mutants_caught() const { return count_of(false, true); }
  std::size_t wrong_versions() const { return count_of(false, false); }
  std::size_t correct_versions() const { return count_of(true, false); }
  std::size_t correct_versions_passed() const { return count_of(true, true); }
  bool sound() const {
    if (!gaps.empty()) return false;
    for (auto const& mutant : mutants) {
      if (!mutant.caught || !mutant.gaps.empty()) return false;
    }
    return true;
  }
};

struct ChapterPlan {
  course::ChapterManifest manifest;
  std::vector<std::vector<Mutant>> mutants;  // per exercise
  /// Per exercise: the mutants this tree cannot judge (sanitizer = "thread" or "address"
  /// without that sanitizer).
  std::vector<std::vector<Mutant>> elsewhere;
  /// Per exercise: wrong versions this tree does not build (WB_WRONG_VERSIONS sanitizer or none).
  std::vector<std::size_t> wrong_versions_not_built;
  /// Per exercise: whether this tree builds it (WB_THREADED_EXERCISES_ONLY keeps `threads = true`).
  std::vector<bool> built_here;
  std::string wrong_versions_built = "all";  // WB_WRONG_VERSIONS: all, sanitizer or none
  std::vector<std::string> problems;         // found before anything is built
};

std::string first_line(std::string_view text) {
  auto lines = split_lines(text);
  return lines.empty() ? std::string() : lines.front();
}

std::string in_quotes(std::string_view name) { return fmt::format("\"{}\"", name); }

// What can be checked by reading files, before building anything.
void check_sources(course::Paths const& paths, ChapterPlan& plan) {
  auto const& chapter = plan.manifest;
  auto& problems = plan.problems;
  std::error_code error;
  auto const solution_dir = paths.solutions_dir() / chapter.slug;
  std::set<std::string> exercise_names;
  for (auto const& exercise : chapter.exercises) {
    exercise_names.insert(exercise.name);
    auto const where = fmt::format("{}/{}", chapter.id, exercise.name);
    if (exercise.hints.size() != 3) {
      problems.push_back(
          fmt::format("{}: has {} hint{}, needs 3 (a nudge, the idea, nearly the "
                      "answer)",
                      where, exercise.hints.size(), exercise.hints.size() == 1 ? "" : "s"));
    }
    for (std::size_t level = 0; level < exercise.hints.size(); ++level) {
      if (trim(exercise.hints[level]).empty()) {
        problems.push_back(fmt::format("{}: hint level {} is empty", where, level + 1));
      }
    }
    if (exercise.tests.empty()) problems.push_back(where + ": chapter.toml lists no tests");
    for (auto const& test : exercise.tests) {
      // `workbook grade` scores by these: a test worth nothing cannot change a grade
      if (test.points == 0) {
        problems.push_back(fmt::format("{}: test {} is worth 0 points in chapter.toml", where,
                                       in_quotes(test.name)));
      }
      if (test.name.find_first_of(course::forbidden_test_name_characters) != std::string::npos) {
        problems.push_back(
            fmt::format("{}: test name {} contains one of {} (Catch2 reads them "
                        "as test-filter syntax)",
                        where, in_quotes(test.name), course::forbidden_test_name_characters));
      }
    }
    if (!fs::exists(chapter.dir / (exercise.name + "_test.cpp"), error)) {
      problems.push_back(fmt::format("{}: no test file {}_test.cpp", where, exercise.name));
    }
    for (auto const& file : exercise.files) {
      if (!fs::exists(chapter.dir / file, error)) {
        problems.push_back(fmt::format("{}: the stub {} is missing", where, file));
      }
      if (!fs::exists(solution_dir / file, error)) {
        problems.push_back(fmt::format("{}: the solution {} is missing", where,
                                       paths.shown(solution_dir / file).string()));
      }
    }
    for (auto const& hint : exercise.test_hints) {
      if (exercise.test(hint.test) == nullptr) {
        problems.push_back(fmt::format("{}: test_hints names {}, which is not in its tests", where,
                                       in_quotes(hint.test)));
      }
    }
  }
  auto const mutants_dir = paths.mutants_dir() / chapter.slug;
  auto const sanitizers = cmake_cache_value(paths.build_dir, "WB_SANITIZERS");
  bool const threaded_only = cmake_cache_flag(paths.build_dir, "WB_THREADED_EXERCISES_ONLY", false);
  // all (also when the tree predates the setting), sanitizer or none
  auto wrong_versions = cmake_cache_value(paths.build_dir, "WB_WRONG_VERSIONS");
  if (wrong_versions.empty()) wrong_versions = "all";
  plan.wrong_versions_built = wrong_versions;
  for (auto const& exercise : chapter.exercises) {
    auto mutants = find_mutants(mutants_dir, exercise.name, problems);
    for (auto const& mutant : mutants) {
      for (auto const& expected : mutant.fails) {
        if (exercise.test(expected.test) == nullptr) {
          problems.push_back(
              fmt::format("mutant {}/{}-{}: expects {} to fail, but the exercise has "
                          "no such test",
                          chapter.id, exercise.name, mutant.name, in_quotes(expected.test)));
        }
      }
    }
    // What this tree builds (cmake/Workbook.cmake): every exercise, or only the threaded ones
    // (the tsan tree); every wrong version, only those its sanitizer must judge (the tsan tree),
    // or none (the other compiler's tree). Correct versions are built everywhere.
    bool const built_here = exercise.threads || !threaded_only;
    auto const not_built = [&](Mutant const& mutant) {
      if (!built_here) return true;
      if (mutant.correct || wrong_versions == "all") return false;
      return wrong_versions == "none" || mutant.sanitizer.empty();
    };
    plan.wrong_versions_not_built.push_back(
        built_here
            ? static_cast<std::size_t>(std::count_if(mutants.begin(), mutants.end(), not_built))
            : 0);
    mutants.erase(std::remove_if(mutants.begin(), mutants.end(), not_built), mutants.end());
    plan.built_here.push_back(built_here);
    // A data race is invisible without ThreadSanitizer, and a use after free is the same
    // failure every run only under AddressSanitizer: such a version is judged in its tree.
    std::vector<Mutant> elsewhere;
    auto const judged_elsewhere = [&](Mutant const& mutant) {
      return !mutant.sanitizer.empty() && sanitizers.find(mutant.sanitizer) == std::string::npos;
    };
    std::copy_if(mutants.begin(), mutants.end(), std::back_inserter(elsewhere), judged_elsewhere);
    mutants.erase(std::remove_if(mutants.begin(), mutants.end(), judged_elsewhere), mutants.end());
    plan.mutants.push_back(std::move(mutants));
    plan.elsewhere.push_back(std::move(elsewhere));
  }
  // Mutant folders that belong to no exercise are most likely misnamed.
  for (auto const& entry : fs::directory_iterator(mutants_dir, error)) {
    if (!entry.is_directory()) continue;
    auto const name = entry.path().filename().string();
    bool owned = false;
    for (auto const& exercise : exercise_names) owned = owned || name.starts_with(exercise + "-");
    if (!owned) {
      problems.push_back(
          fmt::format("{}: names no exercise of {} (folders are "
                      "<exercise>-<what is wrong>)",
                      paths.shown(entry.path()).string(), chapter.id));
    }
  }
}

RunOptions run_options(course::Paths const& paths) {
  RunOptions options;
  options.scratch_dir = paths.build_dir / "tmp";
  return options;
}

ExerciseReport verify_exercise(Session const& session, ChapterPlan const& plan, std::size_t index,
                               BuildOutcome const& build,
                               std::vector<std::string> const& all_targets, bool built_before) {
  auto const& chapter = plan.manifest;
  auto const& exercise = chapter.exercises[index];
  auto const& paths = session.paths;
  auto const programs = paths.programs_dir(chapter.id);
  ExerciseReport report;
  report.chapter = chapter.id;
  report.exercise = exercise.name;
  report.tests = exercise.tests.size();
  report.elsewhere = plan.elsewhere[index];
  report.wrong_versions_not_built = plan.wrong_versions_not_built[index];
  report.wrong_versions_built = plan.wrong_versions_built;
  report.built_here = plan.built_here[index];
  if (!report.built_here) return report;

  // With --no-build a missing program was never built, which says nothing about its code.
  std::string const missing =
      built_before ? "is not built (build the tree first, or run verify without --no-build)"
                   : "does not build";
  auto built = [&](std::string const& target) {
    std::error_code error;
    return build.built(target, all_targets) && fs::exists(programs / target, error);
  };

  // The stub: its test list must match chapter.toml, and every test must be "not started".
  auto const stub = chapter.target(exercise);
  report.stub_built = built(stub);
  if (!report.stub_built) {
    report.gaps.push_back(fmt::format("the stub {} {}", stub, missing));
  } else {
    if (auto names = list_tests(programs / stub)) {
      for (auto const& name : *names) {
        if (exercise.test(name) == nullptr) {
          report.gaps.push_back(
              fmt::format("test {} has no points in chapter.toml", in_quotes(name)));
        }
      }
      for (auto const& test : exercise.tests) {
        if (std::find(names->begin(), names->end(), test.name) == names->end()) {
          report.gaps.push_back(
              fmt::format("chapter.toml lists {}, which {}_test.cpp does not have",
                          in_quotes(test.name), exercise.name));
        }
      }
    } else {
      report.gaps.push_back(fmt::format("could not list the tests of {}", stub));
    }
    auto outcome = run_exercise(chapter, exercise, stub, programs / stub, run_options(paths));
    for (auto const& test : outcome.tests) {
      if (test.status == Status::not_started) {
        ++report.stub_not_started;
      } else {
        report.gaps.push_back(fmt::format(
            "stub: {} should be not started, but {}: {}", in_quotes(test.name),
            test.status == Status::pass ? "passes" : "fails", first_line(test.message)));
      }
    }
  }

  auto const solution = chapter.target(exercise, "_solution");
  report.solution_built = built(solution);
  if (!report.solution_built) {
    report.gaps.push_back(fmt::format("the solution {} {}", solution, missing));
  } else {
    auto outcome =
        run_exercise(chapter, exercise, solution, programs / solution, run_options(paths));
    for (auto const& test : outcome.tests) {
      if (test.status == Status::pass) {
        ++report.solution_passed;
      } else {
        report.gaps.push_back(
            fmt::format("solution: {} {}: {}", in_quotes(test.name),
                        test.status == Status::not_started ? "is not started" : "fails",
                        first_line(test.message)));
      }
    }
  }

  for (auto const& mutant : plan.mutants[index]) {
    MutantResult result{mutant, false, false, {}, {}, {}};
    auto const target = mutant.target(chapter.id);
    result.built = built(target);
    if (!result.built) {
      result.gaps.push_back(
          built_before
              ? fmt::format("{} {}", target, missing)
              : fmt::format("{} does not build (a mutant must compile and be wrong)", target));
      report.mutants.push_back(std::move(result));
      continue;
    }
    // A wrong version runs only the tests its expect.toml names: they decide whether it is
    // caught, and the others (a deadlocking version waits out a hang guard in each) add minutes
    // to the suite and nothing to the verdict. A correct version runs every test.
    auto options = run_options(paths);
    if (!mutant.correct) {
      for (auto const& name : exercise.test_names()) {
        bool const named = std::any_of(mutant.fails.begin(), mutant.fails.end(),
                                       [&](ExpectedFailure const& f) { return f.test == name; });
        if (named) options.tests.push_back(name);
      }
    }
    auto outcome = run_exercise(chapter, exercise, target, programs / target, std::move(options));
    if (mutant.correct) {  // a correct version written differently: every test must pass it
      for (auto const& test : outcome.tests) {
        if (test.status != Status::pass) {
          result.gaps.push_back(fmt::format(
              "{} rejects this correct version: {}", in_quotes(test.name),
              test.status == Status::not_started ? "not started" : first_line(test.message)));
        }
      }
      result.caught = !outcome.tests.empty() && result.gaps.empty();
      report.mutants.push_back(std::move(result));
      continue;
    }
    for (auto const& test : outcome.tests) {
      if (test.status == Status::fail && result.caught_by.empty()) {
        result.caught_by = test.name;
        result.caught_message = first_line(test.message);
      }
    }
    bool all_expected = !mutant.fails.empty();
    bool named = false;
    for (auto const& expected : mutant.fails) {
      auto found =
          std::find_if(outcome.tests.begin(), outcome.tests.end(),
                       [&](TestOutcome const& test) { return test.name == expected.test; });
      if (found == outcome.tests.end()) {
        all_expected = false;  // reported during planning already
        continue;
      }
      if (found->status != Status::fail) {
        all_expected = false;
        result.gaps.push_back(
            fmt::format("{} should fail, but {}", in_quotes(expected.test),
                        found->status == Status::pass ? "passes" : "is not started"));
      } else if (!expected.matches(found->message)) {
        all_expected = false;
        result.gaps.push_back(fmt::format("{} fails, but its message lacks \"{}\": {}",
                                          in_quotes(expected.test), expected.message,
                                          first_line(found->message)));
      } else if (!named) {
        named = true;  // show the first test expect.toml names, not whichever failed first
        result.caught_by = expected.test;
        result.caught_message = first_line(found->message);
      }
    }
    result.caught = all_expected;
    report.mutants.push_back(std::move(result));
  }
  return report;
}

void print_report(Session const& session, ExerciseReport const& report) {
  auto const& term = session.term;
  auto const name = fmt::format("{}/{}", report.chapter, report.exercise);
  if (!report.built_here) {
    fmt::print("{}", term.dim(wrap_hanging(
                         fmt::format("· {:<24} runs on one thread: this tree builds the "
                                     "exercises marked threads = true; verified in the debug tree",
                                     name),
                         term.width(), "", "  ")));
    return;
  }
  auto const count = [&](std::size_t done, std::size_t of, std::string_view what) {
    auto text = fmt::format("{}/{} {}", done, of, what);
    return done == of ? term.green(text) : term.red(text);
  };
  fmt::print("{} {:<24} stub: {}  solution: {}  mutants: {}\n",
             report.sound() ? term.green("✓") : term.red("✗"), name,
             report.stub_built ? count(report.stub_not_started, report.tests, "not started")
                               : term.red("not built"),
             report.solution_built ? count(report.solution_passed, report.tests, "pass")
                                   : term.red("not built"),
             report.wrong_versions() == 0 && report.wrong_versions_not_built > 0
                 ? term.dim("not built here")
                 : count(report.mutants_caught(), report.wrong_versions(), "caught"));
  if (report.wrong_versions_not_built > 0) {
    auto const left_out = report.wrong_versions_not_built;
    auto const line =
        report.wrong_versions_built == "sanitizer"
            ? fmt::format(
                  "· {} wrong version{}: caught in the debug tree, so check never runs "
                  "{} under this tree's sanitizer; this tree builds only the ones its "
                  "sanitizer alone sees",
                  left_out, left_out == 1 ? "" : "s", left_out == 1 ? "it" : "them")
            : fmt::format(
                  "· {} wrong version{}: this tree builds the correct versions only; "
                  "verified in the debug tree",
                  left_out, left_out == 1 ? "" : "s");
    fmt::print("{}", term.dim(wrap_hanging(line, term.width(), "    ", "      ")));
  }
  if (report.correct_versions() > 0) {
    fmt::print("    correct versions written differently: {}\n",
               count(report.correct_versions_passed(), report.correct_versions(), "pass"));
  }
  for (auto const& mutant : report.mutants) {
    if (mutant.mutant.correct) {
      if (mutant.caught) {
        fmt::print("    {} {}: passes every test ({})\n", term.green("✓"), mutant.mutant.name,
                   mutant.mutant.about);
      } else {
        fmt::print("    {} {}: a correct version is rejected ({})\n", term.red("✗"),
                   mutant.mutant.name, mutant.mutant.about);
      }
    } else if (mutant.caught) {
      fmt::print("    {} {}: caught by {}\n", term.green("✓"), mutant.mutant.name,
                 in_quotes(mutant.caught_by));
      fmt::print("{}", term.dim(wrap(mutant.caught_message, term.width(), "        ")));
    } else {
      fmt::print("    {} {}: not caught ({})\n", term.red("✗"), mutant.mutant.name,
                 mutant.mutant.about);
    }
    for (auto const& gap : mutant.gaps) {
      fmt::print("{}", term.red(wrap(gap, term.width(), "        ")));
    }
  }
  for (auto const& mutant : report.elsewhere) {
    auto const line =
        mutant.sanitizer == "thread"
            ? fmt::format(
                  "· {}: only ThreadSanitizer sees this mistake; verified in the tsan tree ({})",
                  mutant.name, mutant.about)
            : fmt::format(
                  "· {}: only AddressSanitizer makes this mistake fail the same way every "
                  "run; verified in the ASan trees ({})",
                  mutant.name, mutant.about);
    fmt::print("{}", term.dim(wrap_hanging(line, term.width(), "    ", "      ")));
  }
  for (auto const& gap : report.gaps) {
    fmt::print("{}", term.red(wrap_hanging("✗ " + gap, term.width(), "    ", "      ")));
  }
}

void write_json(fs::path const& file, std::vector<ExerciseReport> const& reports,
                std::vector<std::string> const& problems, bool ok) {
  toml::array exercises;
  for (auto const& report : reports) {
    toml::array mutants;
    for (auto const& mutant : report.mutants) {
      toml::array gaps;
      for (auto const& gap : mutant.gaps) gaps.push_back(gap);
      mutants.push_back(toml::table{{"name", mutant.mutant.name},
                                    {"about", mutant.mutant.about},
                                    {"built", mutant.built},
                                    {"correct", mutant.mutant.correct},
                                    {"caught", mutant.caught},
                                    {"caught_by", mutant.caught_by},
                                    {"message", mutant.caught_message},
                                    {"gaps", std::move(gaps)}});
    }
    toml::array gaps;
    for (auto const& gap : report.gaps) gaps.push_back(gap);
    exercises.push_back(toml::table{
        {"chapter", report.chapter},
        {"exercise", report.exercise},
        {"tests", static_cast<std::int64_t>(report.tests)},
        {"stub", toml::table{{"built", report.stub_built},
                             {"not_started", static_cast<std::int64_t>(report.stub_not_started)}}},
        {"solution", toml::table{{"built", report.solution_built},
                                 {"passed", static_cast<std::int64_t>(report.solution_passed)}}},
        {"mutants", std::move(mutants)},
        {"built_here", report.built_here},
        {"wrong_versions_not_built", static_cast<std::int64_t>(report.wrong_versions_not_built)},
        {"gaps", std::move(gaps)},
        {"sound", report.sound()}});
  }
  toml::array problem_list;
  for (auto const& problem : problems) problem_list.push_back(problem);
  toml::table root{
      {"ok", ok}, {"exercises", std::move(exercises)}, {"problems", std::move(problem_list)}};
  std::error_code error;
  if (file.has_parent_path()) fs::create_directories(file.parent_path(), error);
  std::ofstream out(file, std::ios::trunc);
  out << toml::json_formatter{root} << "\n";
}

}  // namespace

int run_verify(Session const& session, VerifyOptions const& options) {
  auto const& paths = session.paths;
  auto const& term = session.term;
  auto const choice = session.choose(options.chapters, "verify");
  if (!choice) return exit_usage;
  auto const& chosen = *choice;

  std::vector<ChapterPlan> plans;
  std::vector<std::string> problems;
  for (auto const& chapter : chosen) {
    try {
      ChapterPlan plan{course::load_chapter(chapter.dir), {}, {}, {}, {}, "all", {}};
      check_sources(paths, plan);
      problems.insert(problems.end(), plan.problems.begin(), plan.problems.end());
      plans.push_back(std::move(plan));
    } catch (course::ManifestError const& problem) {
      problems.push_back(problem.what());
    }
  }

  std::vector<std::string> targets;
  for (auto const& plan : plans) {
    for (std::size_t i = 0; i < plan.manifest.exercises.size(); ++i) {
      auto const& exercise = plan.manifest.exercises[i];
      if (!plan.built_here[i]) continue;
      targets.push_back(plan.manifest.target(exercise));
      targets.push_back(plan.manifest.target(exercise, "_solution"));
      for (auto const& mutant : plan.mutants[i]) targets.push_back(mutant.target(plan.manifest.id));
    }
  }

  BuildOutcome build;
  build.success = true;
  if (!options.no_build && !targets.empty()) {
    auto const log = paths.logs_dir() / "verify.log";
    term.status(fmt::format("building {} programs…", targets.size()));
    build = build_targets({paths.build_dir, targets, log});
    term.clear_status();
    if (!build.error.empty() || build.setup_failed()) {
      session.error(fmt::format("the build failed before compiling the chapters: {} (log: {})",
                                build.error.empty() ? describe(build.status) : build.error,
                                paths.shown(log).string()));
      return exit_usage;
    }
  }

  std::vector<ExerciseReport> reports;
  for (auto const& plan : plans) {
    for (std::size_t i = 0; i < plan.manifest.exercises.size(); ++i) {
      term.status(
          fmt::format("verifying {}/{}…", plan.manifest.id, plan.manifest.exercises[i].name));
      auto report = verify_exercise(session, plan, i, build, targets, options.no_build);
      term.clear_status();
      print_report(session, report);
      reports.push_back(std::move(report));
    }
  }
  for (auto const& problem : problems) {
    fmt::print("{}", term.red(wrap_hanging("✗ " + problem, term.width(), "", "  ")));
  }

  bool ok = problems.empty();
  for (auto const& report : reports) ok = ok && report.sound();
  if (!options.json_file.empty()) write_json(options.json_file, reports, problems, ok);
  return ok ? exit_ok : exit_failed;
}

CommandSpec verify_command() {
  auto options = std::make_shared<VerifyOptions>();
  return {"verify",
          "For authors: stubs are not started, solutions pass, mutants are caught",
          {},
          {{"chapters", "Chapters to verify (default: all)", &options->chapters},
           {"--no-build", "Use the programs already built (what ctest does)", &options->no_build},
           {"--json", "Also write a summary as JSON to FILE", &options->json_file}},
          {},
          [options](Session const& session) { return run_verify(session, *options); }};
}

}  // namespace wb::cli
