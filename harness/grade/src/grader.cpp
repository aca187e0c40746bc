#include "wb/grade/grader.hpp"

#include <fmt/core.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <fstream>
#include <sstream>
#include <system_error>

#include "wb/cli/compiler_log.hpp"
#include "wb/cli/grading.hpp"
#include "wb/cli/text.hpp"
#include "wb/course/files.hpp"
#include "wb/grade/sha256.hpp"

namespace wb::grade {
using namespace wb::cli;  // the runner, the build step, processes and text helpers
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using wb::testing::Status;

namespace {

// Bump when grading itself changes what a grade is: every cached grade is then made again.
constexpr std::string_view grading_version = "wb-grade-2";  // 2: a crash in the sandbox

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

bool mentions_memory_limit(std::string_view text) {
  return contains(text, "hard rss limit exhausted") ||
         contains(text, "allocator is out of memory") ||
         contains(text, "requested allocation size") || contains(text, "std::bad_alloc") ||
         contains(text, "AddressSanitizer: out of memory") ||
         contains(text, "AddressSanitizer: out-of-memory");
}

// Lines of output shaped like the reporter's (unsigned): a program printing them hoped to be
// believed.
std::size_t imitated_reporter_lines(std::string_view output) {
  std::size_t count = 0;
  for (auto const& line : split_lines(output)) {
    if (wb::testing::parse_line(line)) ++count;
  }
  return count;
}

// Ways for code to run before the test framework has read its result key, or to reach into the
// process around it: no exercise needs them, so a grade that used them deserves a look. A plain
// text search — a macro can hide any of them — so a note for the instructor, not a verdict.
std::vector<std::string> suspicious_constructs(std::string_view source) {
  auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  // `word` standing on its own, not inside a longer name ("environ", not "environment")
  auto has_word = [&](std::string_view word) {
    for (auto at = source.find(word); at != std::string_view::npos;
         at = source.find(word, at + 1)) {
      bool const starts = at == 0 || !is_word(source[at - 1]) || !is_word(word.front());
      auto const after = at + word.size();
      bool const ends = after >= source.size() || !is_word(source[after]) || !is_word(word.back());
      if (starts && ends) return true;
    }
    return false;
  };
  std::vector<std::string> found;
  for (std::string_view word :
       {"__attribute__", "gnu::constructor", "init_priority", "preinit_array", "/proc/self",
        "environ", "dlsym", "ptrace", "Catch::", "getResultCapture", "asm", "__asm__", ".incbin",
        "ifunc", "catch.hpp", "catch2", "#undef", "push_macro"}) {
    if (has_word(word)) found.emplace_back(word);
  }
  return found;
}

void make_private_dir(fs::path const& dir, SandboxSetup const& sandbox, int worker) {
  std::error_code error;
  fs::create_directories(dir, error);
  ::chmod(dir.c_str(), 0700);
  give_to_worker(sandbox, worker, dir);
}

}  // namespace

std::string failure_reason(Status status, TestEnd end, std::string_view message,
                           std::string_view output) {
  if (status == Status::pass) return "passed";
  if (status == Status::not_started) return "not started";
  if (mentions_memory_limit(message) || mentions_memory_limit(output)) return "memory limit";
  // a sanitizer stopped the program: a crash it caught before the hardware did
  if (end != TestEnd::reported &&
      (contains(message, "undefined behaviour") || contains(message, "Sanitizer found"))) {
    return "crash";
  }
  switch (end) {
    case TestEnd::reported:
      return "failed";
    case TestEnd::timed_out:
      return "timeout";
    case TestEnd::watchdog:
      return "hang";
    case TestEnd::crashed:
      return "crash";
    case TestEnd::exited:
      return "exited early";
    case TestEnd::too_much_output:
      return "output limit";
    case TestEnd::out_of_time:
      return "time budget";
    case TestEnd::did_not_run:
      break;
  }
  if (contains(message, "time for this submission")) return "time budget";
  if (contains(message, "printed more than")) return "output limit";
  if (contains(message, "crashed")) return "crash";
  if (contains(message, "ended (") || contains(message, "ended with")) return "exited early";
  if (contains(message, "does not compile")) return "compile error";
  return "did not run";
}

Grader::Grader(fs::path root, GradingTree tree, SandboxSetup sandbox,
               std::vector<course::ChapterManifest> chapters, GradeSettings settings,
               fs::path work_dir, fs::path cache_dir)
    : root_(std::move(root)),
      tree_(std::move(tree)),
      sandbox_(std::move(sandbox)),
      chapters_(std::move(chapters)),
      settings_(settings),
      work_dir_(std::move(work_dir)),
      cache_dir_(std::move(cache_dir)) {
  for (auto const& chapter : chapters_) {
    std::string sources = course::read_text_file(chapter.dir / "chapter.toml");
    for (auto const& exercise : chapter.exercises) {
      sources += course::read_text_file(chapter.dir / (exercise.name + "_test.cpp"));
      total_tests_ += exercise.tests.size();
    }
    chapter_sources_.push_back(std::move(sources));
  }
  std::error_code error;
  fs::create_directories(work_dir_, error);
  fs::create_directories(cache_dir_, error);
  // Workers (other users) must reach their own folders inside, and see nothing else there.
  ::chmod(work_dir_.c_str(), 0711);
}

std::vector<WantedFile> Grader::wanted_files() const {
  std::vector<WantedFile> files;
  for (auto const& chapter : chapters_) {
    for (auto const& exercise : chapter.exercises) {
      for (auto const& file : exercise.files) files.push_back({chapter.slug, file});
    }
  }
  return files;
}

std::chrono::milliseconds Grader::time_share(course::ExerciseManifest const& exercise) const {
  if (total_tests_ == 0) return settings_.submission_time;
  return std::chrono::milliseconds(settings_.submission_time.count() *
                                   static_cast<long>(exercise.tests.size()) /
                                   static_cast<long>(total_tests_));
}

std::string Grader::describe_limits() const {
  auto const& limits = settings_.limits;
  return fmt::format(
      "{} per test, {} s of tests per submission (shared among exercises by their number of "
      "tests), {} MB of memory ({}), {} processes, {} KB of output, {} MB per file written, "
      "{} s of CPU per compile",
      settings_.test_time ? fmt::format("{} ms", settings_.test_time->count())
                          : std::string("each chapter's time limit"),
      settings_.submission_time.count() / 1000, limits.memory_mb,
      tree_.address_sanitizer ? "AddressSanitizer's hard_rss_limit_mb, in the program itself"
                              : "RLIMIT_AS",
      limits.processes, settings_.output_cap / 1024, limits.file_size_mb,
      settings_.compile_seconds);
}

std::string Grader::cache_key(SubmissionFiles const& submission,
                              course::ChapterManifest const& chapter,
                              course::ExerciseManifest const& exercise) const {
  Sha256 key;
  key.field(grading_version).field(tree_.fingerprint);
  key.field(sandbox_.bubblewrap ? "bubblewrap" : "limits only");
  key.field(fmt::format(
      "{}|{}|{}|{}|{}|{}|{}|{}", settings_.test_time ? settings_.test_time->count() : -1,
      time_share(exercise).count(), settings_.compile_seconds, settings_.limits.memory_mb,
      settings_.limits.processes, settings_.limits.file_size_mb, settings_.output_cap,
      settings_.output_shown));
  for (std::size_t i = 0; i < chapters_.size(); ++i) {
    if (chapters_[i].slug == chapter.slug) key.field(chapter_sources_[i]);
  }
  key.field(chapter.slug).field(exercise.name);
  if (auto found = submission.files.find(chapter.slug); found != submission.files.end()) {
    for (auto const& [file, content] : found->second) key.field(file).field(content);
  }
  return key.hex();
}

GradedExercise Grader::grade(SubmissionFiles const& submission, std::string const& slot,
                             std::size_t chapter_index, std::size_t exercise_index,
                             int worker) const {
  auto const started = Clock::now();
  auto const& chapter = chapters_[chapter_index];
  auto const& exercise = chapter.exercises[exercise_index];
  GradedExercise graded;
  graded.chapter = chapter.id;
  graded.exercise = exercise.name;
  graded.title = exercise.title;
  auto fail_all = [&](std::string const& reason, std::string const& message) {
    graded.tests.clear();
    for (auto const& test : exercise.tests) {
      graded.tests.push_back({test.name, 0, test.points, "fail", reason, message, {}, 0});
    }
  };

  std::vector<std::string> missing;
  for (auto const& file : exercise.files) {
    if (submission.find(chapter.slug, file) == nullptr) missing.push_back(file);
  }
  if (missing.size() == exercise.files.size()) {
    graded.submitted = false;
    fail_all("not submitted", fmt::format("{} is not in the submission", missing.front()));
    return graded;
  }
  for (auto const& file : missing) {
    graded.notes.push_back(fmt::format("{} is not in the submission: the stub was used", file));
  }
  for (auto const& file : exercise.files) {
    auto const* source = submission.find(chapter.slug, file);
    if (source == nullptr) continue;
    if (auto found = suspicious_constructs(*source); !found.empty()) {
      std::string words;
      for (auto const& word : found) words += (words.empty() ? "" : ", ") + word;
      graded.notes.push_back(fmt::format(
          "review {}: it uses {} (code that can run before the tests or reach into the test "
          "framework)",
          file, words));
    }
  }

  auto const key = cache_key(submission, chapter, exercise);
  auto const cache_file = cache_dir_ / (key + ".json");
  if (settings_.use_cache) {
    std::error_code error;
    if (fs::exists(cache_file, error)) {
      try {
        auto cached = exercise_from_json(nlohmann::json::parse(course::read_text_file(cache_file)));
        cached.cached = true;
        make_presentable(cached);  // written by an older version, perhaps
        return cached;
      } catch (std::exception const&) {
        fs::remove(cache_file, error);  // half-written or from an older version: grade again
      }
    }
  }

  auto const target = chapter.target(exercise);
  auto const task = work_dir_ / slot / target;
  auto const overlay_root = task / "overlay";
  auto const overlay = overlay_root / "chapters" / chapter.slug;
  auto const objects = task / "obj";
  auto const programs = task / "bin";
  auto const scratch = task / "scratch";
  std::error_code error;
  fs::remove_all(task, error);
  make_private_dir(task, sandbox_, worker);
  fs::create_directories(overlay, error);
  for (auto const& dir : {objects, programs, scratch}) make_private_dir(dir, sandbox_, worker);
  if (auto found = submission.files.find(chapter.slug); found != submission.files.end()) {
    for (auto const& [file, content] : found->second) {
      try {
        course::write_file(overlay / file, content);
      } catch (fs::filesystem_error const&) {  // the build then misses the file and says so
      }
    }
  }

  // Compiling and linking: in the sandbox, seeing the tree's shared parts and this folder.
  SandboxRequest build;
  build.worker = worker;
  build.cwd = tree_.build_dir;
  for (auto const& path : tree_.shared_paths) build.mounts.push_back({path, false});
  build.mounts.push_back({overlay_root, false});
  build.mounts.push_back({objects, true});
  build.mounts.push_back({programs, true});
  build.limits = settings_.limits;
  build.limits.memory_mb = std::max<std::size_t>(settings_.limits.memory_mb, 4096);
  build.limits.cpu_seconds = settings_.compile_seconds;
  build.limits.file_size_mb = std::max<std::size_t>(settings_.limits.file_size_mb, 512);
  auto run_build_step = [&](std::vector<std::string> const& command) {
    SpawnOptions spawn;
    spawn.argv = sandbox_launcher(sandbox_, build);
    spawn.argv.insert(spawn.argv.end(), command.begin(), command.end());
    spawn.env = sandbox_environment(build);
    spawn.clear_env = true;
    spawn.cwd = tree_.build_dir;
    spawn.own_process_group = true;
    spawn.new_session = true;
    spawn.wall_limit = build_wall_limit();
    auto result = run_command(std::move(spawn), 1u << 20);
    end_worker_processes(sandbox_, worker);
    return result;
  };
  auto shown_path = [&](std::string const& file) {
    auto const relative = fs::path(file).lexically_relative(overlay);
    if (!relative.empty() && *relative.begin() != "..") return relative.generic_string();
    auto const in_root = fs::path(file).lexically_relative(root_);
    if (!in_root.empty() && *in_root.begin() != "..") return in_root.generic_string();
    return file;
  };
  auto build_failure = [&](CommandResult const& result, std::string_view step) {
    graded.compiled = false;
    graded.cacheable = result.started;
    std::vector<std::string> preferred;
    for (auto const& file : exercise.files) {
      preferred.push_back((fs::path("chapters") / chapter.slug / file).generic_string());
    }
    if (!result.started) {
      graded.compile_error = fmt::format("the compiler could not be started: {}", result.error);
    } else if (auto diagnostic =
                   first_error(result.output, preferred, "chapters/" + chapter.slug + "/")) {
      graded.compile_error =
          fmt::format("{}:{}:{}: {}: {}", shown_path(diagnostic->file), diagnostic->line,
                      diagnostic->column, diagnostic->severity, diagnostic->message);
    } else if (result.timed_out) {
      graded.compile_error = fmt::format(
          "the {} ran for {} s by the clock without finishing, and was stopped: a compiler that "
          "waits on something (an #include of a device or a pipe) uses no CPU time while it waits",
          step, build_wall_limit().count() / 1000);
    } else if (result.status.signaled() && result.status.value == SIGXCPU) {
      graded.compile_error =
          fmt::format("the compiler used up its {} s of CPU time", settings_.compile_seconds);
    } else if (auto line = first_unlocated_error(result.output)) {
      graded.compile_error = *line;
    } else {
      graded.compile_error = fmt::format("{} failed ({})", step, describe(result.status));
    }
    fail_all("compile error", fmt::format("does not {}: {}", step, graded.compile_error));
  };

  auto const object = objects / (target + ".o");
  auto const program = programs / target;
  auto compiled = run_build_step(tree_.compile_command(target, overlay, object));
  if (!compiled.success()) {
    build_failure(compiled, "compile");
  } else {
    auto linked = run_build_step(tree_.link_command(target, object, program));
    if (!linked.success()) build_failure(linked, "link");
  }

  if (graded.compiled) {
    SandboxRequest run;
    run.worker = worker;
    run.cwd = scratch;
    for (auto const& path : tree_.shared_paths) run.mounts.push_back({path, false});
    run.mounts.push_back({programs, false});
    run.mounts.push_back({scratch, true});
    run.limits = settings_.limits;
    run.memory = tree_.address_sanitizer ? MemoryLimit::sanitizer : MemoryLimit::address_space;

    RunOptions options;
    options.launcher = sandbox_launcher(sandbox_, run);
    options.env = sandbox_environment(run);
    options.clear_env = true;
    options.cwd = scratch;
    options.scratch_dir = scratch;
    options.signed_results = true;
    options.tests_are_known = true;
    options.output_cap = settings_.output_cap;
    options.output_limit = std::max<std::size_t>(64 * 1024, settings_.output_shown * 2);
    options.deadline = Clock::now() + time_share(exercise);
    auto outcome = run_exercise(chapter, exercise, target, program, options, settings_.test_time);
    end_worker_processes(sandbox_, worker);
    if (!outcome.run.error.empty()) {
      graded.cacheable = false;
      graded.notes.push_back("the test program could not be started: " + outcome.run.error);
    }
    for (auto const& note : outcome.run.notes) graded.notes.push_back(note);
    if (auto const imitations = imitated_reporter_lines(outcome.run.output); imitations > 0) {
      graded.notes.push_back(fmt::format(
          "the program printed {} line{} shaped like test results; unsigned, they counted for "
          "nothing",
          imitations, imitations == 1 ? "" : "s"));
    }
    for (auto const& test : outcome.tests) {
      GradedTest out;
      out.name = test.name;
      out.max_points = test.points;
      out.points = test.status == Status::pass ? test.points : 0;
      out.status = std::string(wb::testing::to_string(test.status));
      out.reason = failure_reason(test.status, test.end, test.message, test.output);
      out.message = test.message;
      if (out.reason == "memory limit") {
        out.message = fmt::format("went past the memory limit of {} MB: {}",
                                  settings_.limits.memory_mb, test.message);
      }
      out.output = cut_output(test.output, settings_.output_shown);
      if (auto const* run_test = outcome.run.find(test.name)) {
        out.seconds = std::chrono::duration<double>(run_test->duration).count();
      }
      graded.tests.push_back(std::move(out));
    }
  }
  graded.seconds = seconds_since(started);
  fs::remove_all(objects, error);
  fs::remove_all(programs, error);
  make_presentable(graded);
  // Ctrl-C killed what was running: its results say nothing about the submission.
  if (interrupted() != 0) graded.cacheable = false;

  if (graded.cacheable) {  // written even with use_cache off: --no-cache refreshes the cache
    try {                  // a program's output need not be UTF-8: such bytes are stored as U+FFFD
      course::write_file_atomically(
          cache_file,
          to_json(graded).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    } catch (std::exception const&) {  // no cache entry: the next run grades it again
    }
  }
  return graded;
}

}  // namespace wb::grade
