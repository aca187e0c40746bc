// `workbook grade SUBMISSION...` (for instructors): grades folders, .tar.gz and .zip files of
// learners' work against the course's own tests, each submission compiled and run in a sandbox
// (see sandbox.hpp, grader.hpp), with --jobs N in parallel, a progress bar on a terminal, and the
// grades written as a table, CSV, JSON, JUnit XML, Gradescope or Exercism results. Exit 0 when
// every submission was graded, 1 when some could not be read, 2 when nothing could be graded.
#include <fmt/core.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "wb/cli/commands.hpp"
#include "wb/course/files.hpp"
#include "wb/grade/commands.hpp"
#include "wb/grade/grader.hpp"
#include "wb/grade/pristine_chapters.hpp"
#include "wb/grade/report_formats.hpp"
#include "wb/run/build.hpp"

namespace wb::grade {
using namespace wb::cli;  // the session, the terminal and the exit codes
using namespace wb::run;  // the build step and processes
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// Runs work(worker, index) for index 0..count-1 on `jobs` threads; each worker has its number.
// After Ctrl-C (deferred, see process.hpp) no new index is started.
template <class Work>
void in_parallel(int jobs, std::size_t count, Work work) {
  std::atomic<std::size_t> next{0};
  auto loop = [&](int worker) {
    for (std::size_t i = next++; i < count && interrupted() == 0; i = next++) work(worker, i);
  };
  std::vector<std::thread> threads;
  for (int worker = 1; worker < jobs; ++worker) threads.emplace_back(loop, worker);
  loop(0);
  for (auto& thread : threads) thread.join();
}

// A folder name for a submission's work: its number and a tame version of its name.
std::string slot_name(std::size_t index, std::string const& name) {
  std::string tame;
  for (char c : name) {
    bool const plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '_' || c == '.';
    tame += plain ? c : '_';
  }
  return fmt::format("{:03}-{}", index, tame.substr(0, 40));
}

// Removes the work folder (learners' sources, objects, programs) when it goes out of scope, unless
// --keep-work asked to keep it.
class WorkFolder {
 public:
  WorkFolder(fs::path dir, bool keep) : dir_(std::move(dir)), keep_(keep) {}
  WorkFolder(WorkFolder const&) = delete;
  WorkFolder& operator=(WorkFolder const&) = delete;
  ~WorkFolder() { remove(); }
  void remove() {
    if (keep_ || dir_.empty()) return;
    std::error_code error;
    fs::remove_all(dir_, error);
  }

 private:
  fs::path dir_;
  bool keep_;
};

// An exercise whose grading did not finish: every test fails with `why`, and nothing is cached.
GradedExercise grading_failed(course::ChapterManifest const& chapter, std::size_t exercise,
                              std::string const& why) {
  GradedExercise graded;
  graded.chapter = chapter.id;
  graded.exercise = chapter.exercises[exercise].name;
  graded.title = chapter.exercises[exercise].title;
  graded.cacheable = false;
  graded.notes.push_back(printable(why));
  for (auto const& test : chapter.exercises[exercise].tests) {
    graded.tests.push_back(
        test_not_run(test.name, test.points, wb::testing::Reason::did_not_run, printable(why)));
  }
  return graded;
}

struct ShownName {
  std::string shown;      // in the table and every format: printable, one per submission
  std::string file_stem;  // of its own Gradescope or Exercism file: tame, one per submission
};

// The names submissions are shown and written under. Two submissions may share a name (alice/
// and alice.zip), or a file name once tamed (`a b` and `a_b` are both a_b): each gets one of its
// own, and the instructor is told which is which.
std::vector<ShownName> shown_names(Session const& session,
                                   std::vector<SubmissionFiles> const& submissions,
                                   bool files_per_submission) {
  std::vector<ShownName> names(submissions.size());
  std::map<std::string, std::vector<std::size_t>> by_shown;
  std::map<std::string, std::vector<std::size_t>> by_stem;
  for (std::size_t i = 0; i < submissions.size(); ++i) {
    names[i].shown = printable(submissions[i].name, false);
    by_shown[names[i].shown].push_back(i);
    auto stem = slot_name(0, submissions[i].name).substr(4);
    if (stem.empty() || stem.front() == '.') stem = "submission" + stem;
    names[i].file_stem = stem;
    by_stem[stem].push_back(i);
  }
  for (auto const& [shown, same] : by_shown) {
    if (same.size() < 2) continue;
    std::string listed;
    for (auto const i : same) {
      names[i].shown = printable(submissions[i].source.string(), false);
      listed += (listed.empty() ? "" : ", ") + names[i].shown;
    }
    session.warning(fmt::format("{} submissions are named {} ({}): each is listed by its path",
                                same.size(), shown, listed));
  }
  std::set<std::string> taken;
  for (auto const& [stem, same] : by_stem) taken.insert(stem);
  for (auto const& [stem, same] : by_stem) {
    if (same.size() < 2) continue;
    std::string listed;
    for (std::size_t k = 0; k < same.size(); ++k) {
      auto& name = names[same[k]];
      if (k > 0) {
        for (int n = static_cast<int>(k) + 1;; ++n) {
          auto candidate = fmt::format("{}-{}", stem, n);
          if (taken.insert(candidate).second) {
            name.file_stem = std::move(candidate);
            break;
          }
        }
      }
      listed += fmt::format("{}{} as {}.json", listed.empty() ? "" : ", ",
                            printable(submissions[same[k]].source.string(), false), name.file_stem);
    }
    if (files_per_submission) {
      session.warning(fmt::format("{} submissions would be written to the same {}.json: {}",
                                  same.size(), stem, listed));
    }
  }
  return names;
}

bool write_output(Session const& session, fs::path const& file, std::string const& text) {
  std::error_code error;
  if (file.has_parent_path()) fs::create_directories(file.parent_path(), error);
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) {
    session.error(fmt::format("could not write {}", file.string()));
    return false;
  }
  return true;
}

class GradingProgress {
 public:
  GradingProgress(Terminal const& term, std::size_t total) : term_(term), total_(total) {}
  void finished(std::string const& what) {
    std::lock_guard lock(mutex_);
    ++done_;
    if (!term_.interactive()) return;
    auto const width = std::min<std::size_t>(30, term_.width() / 4);
    term_.status(
        fmt::format("grading {} {}/{}  {}",
                    progress_bar(static_cast<long>(done_), static_cast<long>(total_), width), done_,
                    total_, what));
  }
  void clear() const { term_.clear_status(); }

 private:
  Terminal const& term_;
  std::size_t total_;
  std::size_t done_ = 0;
  std::mutex mutex_;
};

// The processors this process may run on (its affinity mask: a container's or taskset's cpuset,
// not the whole machine's).
int usable_processors() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  return CPU_COUNT(&set);
}

// The default grading tree: the course configured without sanitizers. Its test files compile
// in about half the time of a sanitizer build's, and RLIMIT_AS can hold its programs to a memory
// limit (AddressSanitizer reserves terabytes of address space, so it cannot). Nor does it carry
// debug information: without a sanitizer nothing prints a stack to read it with, and leaving it
// out takes a tenth off each compile. Configured once.
bool configure_grading_tree(Session const& session, fs::path const& tree_dir) {
  std::error_code error;
  if (fs::exists(tree_dir / "CMakeCache.txt", error)) return true;
  std::vector<std::string> argv = {"cmake",
                                   "-S",
                                   session.paths.root.string(),
                                   "-B",
                                   tree_dir.string(),
                                   "-G",
                                   "Ninja",
                                   "-DCMAKE_BUILD_TYPE=Debug",
                                   "-DCMAKE_CXX_FLAGS_DEBUG=-O0",
                                   "-DWB_SANITIZERS="};
  // The same compiler as the tree the workbook was built in.
  if (auto compiler = run::cmake_cache_value(session.paths.build_dir, "CMAKE_CXX_COMPILER");
      !compiler.empty()) {
    argv.push_back("-DCMAKE_CXX_COMPILER=" + compiler);
  }
  auto const log = session.paths.logs_dir() / "grade-configure.log";
  fs::create_directories(log.parent_path(), error);
  session.term.status("configuring the grading tree (first time only)…");
  auto result = run_command_to_file(argv, log);
  session.term.clear_status();
  if (!result.success()) {
    session.error(fmt::format("configuring the grading tree {} failed; see {}", tree_dir.string(),
                              log.string()));
    fs::remove(tree_dir / "CMakeCache.txt", error);
    return false;
  }
  return true;
}

}  // namespace

namespace {

// `workbook grade *` in a folder holding a submission named `--no-sandbox` passes the option, not
// the submission: a hostile name could turn the sandbox off. A flag that is set while a file of
// that very name is in the folder is refused, and so is a submission whose name starts with '-'
// (given as ./-x): rename it. After `--` every word is a submission, whatever it looks like.
bool names_look_like_options(Session const& session, GradeOptions const& options) {
  if (options.submissions.empty()) {
    session.error("name the submissions to grade (folders, .tar.gz or .zip files)");
    return true;
  }
  std::pair<char const*, bool> const flags[] = {
      {"--no-sandbox", options.no_sandbox}, {"--no-cache", options.no_cache},
      {"--no-build", options.no_build},     {"--keep-work", options.keep_work},
      {"--quiet", options.quiet},           {"-q", options.quiet}};
  std::error_code error;
  for (auto const& [flag, set] : flags) {
    if (set && fs::exists(fs::symlink_status(flag, error))) {
      session.error(fmt::format(
          "{} is set, and this folder holds a file or folder named {}: a shell pattern such as "
          "`grade *` passes that name as the option. Rename it (or name the submissions one by "
          "one) and run grade again",
          flag, flag));
      return true;
    }
  }
  for (std::size_t i = 0; i < options.first_after_separator && i < options.submissions.size();
       ++i) {
    auto const name = fs::path(options.submissions[i]).filename().string();
    if (name.starts_with("-")) {
      session.error(fmt::format(
          "the submission {} has a name that starts with '-', which a shell pattern passes as "
          "an option: rename it, or put -- before the submissions (grade --chapters ch02 -- *), "
          "and run grade again",
          printable(options.submissions[i], false)));
      return true;
    }
  }
  return false;
}

}  // namespace

int run_grade(Session const& session, GradeOptions const& options) {
  auto const& paths = session.paths;
  auto const& term = session.term;
  if (names_look_like_options(session, options)) return exit_usage;
  // The formats chosen, each once, by name (the order they are written in).
  std::map<std::string, ReportFormat const*> formats;
  for (auto const& name : options.formats) {
    auto const* format = find_report_format(name);
    if (format == nullptr) {
      session.error(fmt::format("unknown format \"{}\" ({})", name, report_format_names(" or ")));
      return exit_usage;
    }
    formats[name] = format;
  }
  if (formats.empty()) formats[std::string(report_formats()[0].name)] = &report_formats()[0];
  std::size_t file_formats = 0;  // formats written to --out rather than printed
  bool per_submission_format = false;
  for (auto const& [name, format] : formats) {
    file_formats += format->file.empty() ? 0 : 1;
    per_submission_format = per_submission_format || format->per_submission;
  }
  bool const per_submission_files = per_submission_format && options.submissions.size() > 1;
  if (per_submission_files && options.out.empty()) {
    session.error(fmt::format(
        "{} results are one file per submission: with several submissions, name a folder with "
        "--out",
        report_format_names(" and ", true)));
    return exit_usage;
  }

  // The chapters graded.
  auto const chosen = session.choose(options.chapters, "grade");
  if (!chosen) return exit_usage;
  std::vector<course::ChapterManifest> chapters;
  for (auto const& chapter : *chosen) {
    auto manifest = session.load(chapter);
    if (!manifest) return exit_usage;
    chapters.push_back(std::move(*manifest));
  }

  // The tree whose runtime, test main and precompiled header every submission shares.
  auto const tree_dir = options.build_tree.empty() ? paths.build_dir / "grading-tree"
                                                   : fs::weakly_canonical(options.build_tree);
  if (options.build_tree.empty() && !configure_grading_tree(session, tree_dir)) return exit_usage;
  std::vector<std::string> targets;
  for (auto const& chapter : chapters) {
    for (auto const& exercise : chapter.exercises) targets.push_back(chapter.target(exercise));
  }
  if (!options.no_build) {
    term.status("building the grading tree (the course's tests against its stubs)…");
    auto const log = tree_dir / "logs" / "grade-setup.log";
    auto build = build_targets({tree_dir, targets, log});
    term.clear_status();
    if (!build.success) {
      session.error(
          fmt::format("the course itself does not build in {} ({}); see {}", tree_dir.string(),
                      build.error.empty() ? describe(build.status) : build.error, log.string()));
      return exit_usage;
    }
  }
  std::string problem;
  auto tree = read_grading_tree(tree_dir, paths.root, targets, problem);
  if (!tree) {
    session.error(problem);
    return exit_usage;
  }
  // Graded against the stubs from git, never against what the instructor's chapters/ holds.
  auto const pristine = pristine_chapters(paths.root, chapters, tree_dir / "grading" / "pristine");
  for (auto const& warning : pristine.warnings) session.warning(warning);
  use_pristine_chapters(*tree, pristine);

  auto sandbox = detect_sandbox(!options.no_sandbox);
  GradeSettings settings;
  if (options.time_limit) {
    settings.test_time = std::chrono::milliseconds(static_cast<long>(*options.time_limit * 1000));
  }
  settings.submission_time =
      std::chrono::milliseconds(static_cast<long>(options.submission_time * 1000));
  settings.limits.memory_mb = options.memory_mb;
  settings.limits.processes = options.processes;
  settings.output_cap = options.output_cap;
  settings.output_shown = options.output_shown;
  settings.use_cache = !options.no_cache;
  int const jobs = std::clamp(options.jobs > 0 ? options.jobs : usable_processors(), 1, 8);
  if (sandbox.cgroups) sandbox.cgroups->set_workers(jobs);

  auto const grading_dir = tree_dir / "grading";
  auto const work_dir = grading_dir / fmt::format("work-{}", ::getpid());
  // Learners' sources are copied into the work folder: it goes on every way out of this
  // function (an exception too), and Ctrl-C lets the batch stop and reach this first.
  WorkFolder work_folder(work_dir, options.keep_work);
  defer_interrupts(true);
  Grader grader(paths.root, *tree, sandbox, chapters, settings, work_dir, grading_dir / "cache");
  if (!sandbox.bubblewrap || !sandbox.cgroups) session.warning(sandbox.describe());

  // Reading (and unpacking) the submissions.
  auto const wanted = grader.wanted_files();
  std::vector<SubmissionFiles> submissions(options.submissions.size());
  std::vector<double> unpack_seconds(submissions.size(), 0.0);
  in_parallel(jobs, submissions.size(), [&](int worker, std::size_t i) {
    auto const started = Clock::now();
    auto const scratch = work_dir / slot_name(i, submission_name(options.submissions[i]));
    std::error_code error;
    fs::create_directories(scratch, error);
    try {
      submissions[i] = read_submission(options.submissions[i], wanted, scratch, sandbox, worker);
    } catch (std::exception const& failure) {  // one submission never stops the batch
      submissions[i].name = submission_name(options.submissions[i]);
      submissions[i].source = options.submissions[i];
      submissions[i].error = fmt::format("it could not be read: {}", failure.what());
    }
    unpack_seconds[i] = std::chrono::duration<double>(Clock::now() - started).count();
  });
  for (std::size_t i = 0; i < submissions.size(); ++i) {
    if (submissions[i].source.empty()) {  // not reached: interrupted
      submissions[i].name = submission_name(options.submissions[i]);
      submissions[i].source = options.submissions[i];
      submissions[i].error = "grading was interrupted before it was read";
    }
  }

  struct Task {
    std::size_t submission, chapter, exercise;
  };
  std::vector<Task> tasks;
  for (std::size_t s = 0; s < submissions.size(); ++s) {
    if (!submissions[s].error.empty()) continue;
    for (std::size_t c = 0; c < chapters.size(); ++c) {
      for (std::size_t e = 0; e < chapters[c].exercises.size(); ++e) tasks.push_back({s, c, e});
    }
  }
  std::vector<GradedExercise> results(tasks.size());
  std::vector<double> seconds(submissions.size(), 0.0);
  std::mutex seconds_mutex;
  GradingProgress progress(term, tasks.size());
  in_parallel(jobs, tasks.size(), [&](int worker, std::size_t i) {
    auto const& task = tasks[i];
    auto const& submission = submissions[task.submission];
    try {
      results[i] = grader.grade(submission, slot_name(task.submission, submission.name),
                                task.chapter, task.exercise, worker);
    } catch (std::exception const& failure) {  // that exercise fails, the batch goes on
      results[i] = grading_failed(chapters[task.chapter], task.exercise,
                                  fmt::format("grading this exercise failed: {}", failure.what()));
    }
    {
      std::lock_guard lock(seconds_mutex);
      seconds[task.submission] += results[i].seconds;
    }
    progress.finished(fmt::format("{} {}/{}", printable(submission.name, false),
                                  chapters[task.chapter].id,
                                  chapters[task.chapter].exercises[task.exercise].name));
  });
  progress.clear();
  work_folder.remove();
  if (int const signal = interrupted(); signal != 0) {
    std::size_t const done = static_cast<std::size_t>(std::count_if(
        results.begin(), results.end(),
        [](GradedExercise const& result) { return !result.chapter.empty() && result.cacheable; }));
    session.error(fmt::format(
        "interrupted ({}): {} of {} exercises were graded before it, and are cached: run the "
        "same command again to go on. The work folder was removed.",
        strsignal(signal), done, tasks.size()));
    ::signal(signal, SIG_DFL);
    ::raise(signal);
    return exit_usage;
  }
  for (std::size_t i = 0; i < tasks.size(); ++i) {  // not run: no test may go missing
    if (results[i].chapter.empty()) {
      results[i] = grading_failed(chapters[tasks[i].chapter], tasks[i].exercise,
                                  "this exercise was not graded");
    }
  }

  Gradebook book;
  book.sandbox = sandbox.describe();
  book.limits = grader.describe_limits();
  book.build_tree = tree_dir.string();
  for (auto const& chapter : chapters) book.chapters.emplace_back(chapter.id, chapter.title);
  std::size_t next = 0;
  auto const names = shown_names(
      session, submissions,
      per_submission_format &&
          (per_submission_files || (!options.out.empty() && file_formats > 1)));  // as below
  for (std::size_t s = 0; s < submissions.size(); ++s) {
    SubmissionGrade grade;
    grade.name = names[s].shown;
    grade.file_stem = names[s].file_stem;
    grade.source = printable(submissions[s].source.string(), false);
    grade.error = cap_text(printable(submissions[s].error), max_test_message_bytes);
    for (auto const& note : submissions[s].notes) {
      grade.notes.push_back(cap_text(printable(note), max_test_message_bytes));
    }
    grade.seconds = seconds[s];
    grade.time.unpack = unpack_seconds[s];
    if (grade.error.empty()) {
      for (auto const& chapter : chapters) {
        GradedChapter graded{chapter.id, chapter.slug, chapter.title, {}};
        for (std::size_t e = 0; e < chapter.exercises.size(); ++e) {
          grade.time += results[next].time;
          graded.exercises.push_back(std::move(results[next++]));
        }
        grade.chapters.push_back(std::move(graded));
      }
    }
    book.submissions.push_back(std::move(grade));
  }

  // The reports.
  bool const one_file = file_formats == 1 && !per_submission_files;
  auto destination = [&](std::string const& file_name) -> fs::path {
    if (options.out.empty()) return {};
    if (one_file) return options.out;
    return fs::path(options.out) / file_name;
  };
  TestCodeLookup const test_code = [&](std::string const& slug, std::string const& exercise,
                                       std::string const& test) {
    return test_case_source(
        course::read_text_file(paths.chapters_dir() / slug / (exercise + "_test.cpp")), test);
  };
  ReportInputs const inputs{book, term, test_code, options.quiet};
  auto write = [&](fs::path const& file, std::string const& text) {
    if (file.empty()) {
      fmt::print("{}", text);
      return true;
    }
    return write_output(session, file, text);
  };
  bool written = true;
  for (auto const& [name, format] : formats) {
    if (format->file.empty()) {  // the terminal's
      fmt::print("{}", format->render(inputs, nullptr));
    } else if (!format->per_submission) {
      written =
          write(destination(std::string(format->file)), format->render(inputs, nullptr)) && written;
    } else {
      for (auto const& submission : book.submissions) {
        fs::path file;
        if (!options.out.empty()) {
          file = one_file ? fs::path(options.out)
                          : fs::path(options.out) / format->file_for(submission);
        }
        written = write(file, format->render(inputs, &submission)) && written;
      }
    }
  }
  if (!written) return exit_usage;
  bool const all_read =
      std::all_of(book.submissions.begin(), book.submissions.end(),
                  [](SubmissionGrade const& grade) { return grade.error.empty(); });
  return all_read ? exit_ok : exit_failed;
}

}  // namespace wb::grade
