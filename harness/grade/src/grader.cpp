#include "wb/grade/grader.hpp"

#include <fmt/core.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <fstream>
#include <sstream>
#include <system_error>

#include "wb/course/files.hpp"
#include "wb/grade/sha256.hpp"
#include "wb/run/compiler_log.hpp"
#include "wb/run/exercise_outcome.hpp"
#include "wb/text/text.hpp"

namespace wb::grade {
using namespace wb::run;   // the runner, scoring by chapter.toml, compiler logs, processes
using namespace wb::text;  // text helpers
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using wb::testing::Reason;
using wb::testing::Status;

namespace {

// Bump when grading itself changes what a grade is: every cached grade is then made again.
// 2: a crash in the sandbox; 3: what was compiled is inspected, the signing code linked as an
// object; 4: a test's grade is its verdict (reason_code, oracle, location, ran in the JSON)
constexpr std::string_view grading_version = "wb-grade-4";

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

// Out of memory, in what the runtime and the sanitizers print when an allocation fails: the one
// fact about a test that comes from text (the C++ runtime and ASan say it in no other way).
bool ran_out_of_memory(wb::testing::Verdict const& test) {
  return mentions_memory_limit(test.message) || mentions_memory_limit(test.output);
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

// At most `limit` bytes of a file; `cut` is set when it holds more.
std::string read_capped(fs::path const& file, std::size_t limit, bool& cut) {
  std::error_code error;
  auto const size = fs::file_size(file, error);
  if (error) return {};
  if (size > limit) cut = true;
  std::ifstream in(file, std::ios::binary);
  std::string text(std::min<std::uintmax_t>(size, limit), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(std::max<std::streamsize>(0, in.gcount())));
  return text;
}

// A compile command turned into "preprocess, keeping the macro definitions, into `out`".
std::vector<std::string> preprocess_command(std::vector<std::string> words, fs::path const& out) {
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (words[i] == "-c") words[i] = "-E";
    if (words[i] == "-o" && i + 1 < words.size()) words[i + 1] = out.string();
  }
  words.insert(words.begin() + 1, "-dD");
  return words;
}

std::string tool(std::string_view name) {
  auto const found = find_in_path(name);
  return found ? found->string() : std::string(name);
}

constexpr std::size_t symbols_limit = 64u << 20;        // nm's output
constexpr std::size_t preprocessed_limit = 256u << 20;  // the unit preprocessed, the object

void make_private_dir(fs::path const& dir, SandboxSetup const& sandbox, int worker) {
  std::error_code error;
  fs::create_directories(dir, error);
  ::chmod(dir.c_str(), 0700);
  give_to_worker(sandbox, worker, dir);
}

}  // namespace

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
      "tests), {} MB of memory ({}{}), {} processes, {} KB of output, {} MB per file written, "
      "{} s of CPU per compile{}",
      settings_.test_time ? fmt::format("{} ms", settings_.test_time->count())
                          : std::string("each chapter's time limit"),
      settings_.submission_time.count() / 1000, limits.memory_mb,
      sandbox_.cgroups ? "for all of a step's processes together, in a cgroup; per process: "
                       : "per process: ",
      tree_.address_sanitizer ? "AddressSanitizer's hard_rss_limit_mb, in the program itself"
                              : "RLIMIT_AS",
      limits.processes, settings_.output_cap / 1024, limits.file_size_mb, settings_.compile_seconds,
      sandbox_.scratch_tmpfs
          ? fmt::format(", {} MB in the folder a test program writes in", limits.scratch_size_mb)
          : std::string());
}

std::string Grader::cache_key(SubmissionFiles const& submission,
                              course::ChapterManifest const& chapter,
                              course::ExerciseManifest const& exercise) const {
  Sha256 key;
  key.field(grading_version).field(tree_.fingerprint);
  key.field(sandbox_.bubblewrap ? "bubblewrap" : "limits only");
  key.field(fmt::format("cgroups {}, scratch tmpfs {} MB", sandbox_.cgroups != nullptr,
                        sandbox_.scratch_tmpfs ? settings_.limits.scratch_size_mb : 0));
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

std::shared_ptr<CompiledUnit const> Grader::stub_unit(std::string const& target,
                                                      std::string& why) const {
  std::shared_ptr<StubUnit> slot;
  {
    std::lock_guard lock(baselines_mutex_);
    auto& entry = stub_units_[target];
    if (!entry) entry = std::make_shared<StubUnit>();
    slot = entry;
  }
  // Made once, by the first worker to need it; others wanting another target go on meanwhile.
  std::call_once(slot->made, [&] { slot->unit = read_stub_unit(target, slot->why); });
  why = slot->why;
  return slot->unit;
}

std::shared_ptr<CompiledUnit const> Grader::read_stub_unit(std::string const& target,
                                                           std::string& why) const {
  auto const& commands = tree_.exercises.at(target);
  fs::path object;
  for (std::size_t i = 0; i + 1 < commands.compile.size(); ++i) {
    if (commands.compile[i] == "-o") object = commands.compile[i + 1];
  }
  if (object.is_relative()) object = tree_.build_dir / object;
  std::error_code error;
  if (object.empty() || !fs::exists(object, error)) {
    why = fmt::format("the stub's object {} is not built", object.string());
    return nullptr;
  }
  // Kept in the cache for the next run: the tree's state and the object's own stamp name it.
  auto const stamp = fs::last_write_time(object, error).time_since_epoch().count();
  auto const cache_file =
      cache_dir_ / fmt::format("stub-{}.json",
                               Sha256()
                                   .field(grading_version)
                                   .field(tree_.fingerprint)
                                   .field(target)
                                   .field(fmt::format("{}:{}", stamp, fs::file_size(object, error)))
                                   .hex());
  if (settings_.use_cache && fs::exists(cache_file, error)) {
    try {
      return std::make_shared<CompiledUnit const>(
          compiled_unit_from_json(nlohmann::json::parse(course::read_text_file(cache_file))));
    } catch (std::exception const&) {
      fs::remove(cache_file, error);  // half-written or from an older version: read it again
    }
  }
  auto unit = std::make_shared<CompiledUnit>();
  auto const symbols = run_command({tool("nm"), "-P", object.string()}, {}, symbols_limit);
  auto const sections = run_command({tool("readelf"), "-S", "-W", object.string()});
  auto const preprocessed = work_dir_ / fmt::format("stub-{}.ii", target);
  auto const preprocess =
      run_command(preprocess_command(commands.compile, preprocessed), tree_.build_dir);
  if (!symbols.success() || !sections.success() || !preprocess.success()) {
    why = fmt::format("nm, readelf or the preprocessor failed on the stub's {}", target);
    fs::remove(preprocessed, error);
    return nullptr;
  }
  read_symbols(*unit, symbols.output);
  read_sections(*unit, sections.output);
  bool cut = false;
  read_preprocessed(*unit, read_capped(preprocessed, preprocessed_limit, cut), {});
  read_object_bytes(*unit, read_capped(object, preprocessed_limit, cut));
  fs::remove(preprocessed, error);
  try {
    course::write_file_atomically(cache_file, to_json(*unit).dump());
  } catch (std::exception const&) {  // not kept (bytes that are not UTF-8, a full disk): read again
  }
  return unit;
}

std::shared_ptr<FrameworkSymbols const> Grader::framework_symbols(std::string const& target) const {
  std::vector<fs::path> inputs = {tree_.main_object};
  inputs.insert(inputs.end(), tree_.framework_objects.begin(), tree_.framework_objects.end());
  for (auto const& word : tree_.exercises.at(target).link) {
    if (!word.ends_with(".a") || word.starts_with("-")) continue;
    inputs.push_back(fs::path(word).is_absolute() ? fs::path(word) : tree_.build_dir / word);
  }
  std::string key;  // targets with the same libraries share one set
  for (auto const& input : inputs) key += input.string() + '\n';
  std::lock_guard lock(baselines_mutex_);
  if (auto found = link_symbols_.find(key); found != link_symbols_.end()) return found->second;
  auto all = std::make_shared<FrameworkSymbols>();
  for (auto const& input : inputs) {
    if (input.empty()) continue;
    auto& symbols = library_symbols_[input.string()];
    if (!symbols) {
      FrameworkSymbols read;
      read_symbols(read, run_command({tool("nm"), "-P", input.string()}, {}, symbols_limit).output);
      symbols = std::make_shared<FrameworkSymbols const>(std::move(read));
    }
    all->defined.insert(symbols->defined.begin(), symbols->defined.end());
    all->referred.insert(symbols->referred.begin(), symbols->referred.end());
    all->strong.insert(symbols->strong.begin(), symbols->strong.end());
  }
  link_symbols_[key] = all;
  return all;
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
  auto fail_all = [&](Reason reason, std::string const& message) {
    graded.tests.clear();
    for (auto const& test : exercise.tests) {
      graded.tests.push_back(test_not_run(test.name, test.points, reason, message));
    }
  };

  std::vector<std::string> missing;
  for (auto const& file : exercise.files) {
    if (submission.find(chapter.slug, file) == nullptr) missing.push_back(file);
  }
  if (missing.size() == exercise.files.size()) {
    graded.submitted = false;
    fail_all(Reason::not_submitted, fmt::format("{} is not in the submission", missing.front()));
    graded.time.other = seconds_since(started);
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
        cached.time.other = seconds_since(started);
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
  // Each step's processes in a cgroup of their own: one memory, process and CPU limit for all
  // of them together. The group goes (its processes killed) when the step ends.
  auto step_cgroup = [&](SandboxLimits const& limits,
                         std::string& error) -> std::unique_ptr<CgroupTree::Group> {
    if (!sandbox_.cgroups) return nullptr;
    CgroupLimits group_limits;
    group_limits.memory_mb = limits.memory_mb;
    // bubblewrap's own two processes (it and its init) come on top of the submission's
    group_limits.processes = limits.processes + 4;
    group_limits.cpus = 1;
    auto group = sandbox_.cgroups->group(fmt::format("w{}", worker), group_limits, error);
    if (!group && error.empty()) error = "could not make its cgroup";
    return group;
  };
  CgroupMemory build_memory;
  auto run_build_step = [&](std::vector<std::string> const& command,
                            std::size_t output_limit = 1u << 20) {
    std::string cgroup_error;
    auto const group = step_cgroup(build.limits, cgroup_error);
    if (sandbox_.cgroups && !group) {
      CommandResult failed;
      failed.error = cgroup_error;
      return failed;
    }
    SpawnOptions spawn;
    spawn.argv = sandbox_launcher(sandbox_, build);
    spawn.argv.insert(spawn.argv.end(), command.begin(), command.end());
    spawn.env = sandbox_environment(build);
    spawn.clear_env = true;
    spawn.cwd = tree_.build_dir;
    spawn.own_process_group = true;
    spawn.new_session = true;
    spawn.wall_limit = build_wall_limit();
    if (group) spawn.join_cgroups = group->procs_files();
    auto result = run_command(std::move(spawn), output_limit);
    if (group) {
      group->kill_all();
      build_memory = group->memory();
    }
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
    } else if (build_memory.limit_hit) {
      graded.compile_error = fmt::format(
          "the {} went past the memory limit of {} MB (all its processes together) and was "
          "stopped",
          step, build.limits.memory_mb);
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
      if (step == "link" &&
          (contains(*line, "duplicate symbol") || contains(*line, "multiple definition"))) {
        graded.compile_error +=
            " (the submission defines a name the test framework defines too: its code may "
            "define names of its own, never replace the framework's)";
      }
    } else {
      graded.compile_error = fmt::format("{} failed ({})", step, describe(result.status));
    }
    fail_all(Reason::compile_error, fmt::format("does not {}: {}", step, graded.compile_error));
  };

  // What was compiled, against the stub's build: read in the sandbox (nm, readelf and the
  // preprocessor see the learner's object and files), compared here.
  auto inspect_compiled = [&](fs::path const& object) {
    std::string why;
    auto const stub = stub_unit(target, why);
    auto const preprocessed = objects / (target + ".ii");
    auto const symbols = fs::path(object.string() + ".nm");
    auto const sections = fs::path(object.string() + ".sections");
    // One sandboxed step for the three tools: each step's start and clean-up costs more than
    // nm and readelf themselves.
    std::vector<std::string> command = {"/bin/sh", "-c",
                                        "o=$1; shift; " + tool("nm") +
                                            " -P \"$o\" > \"$o.nm\" && " + tool("readelf") +
                                            " -S -W \"$o\" > \"$o.sections\" && exec \"$@\"",
                                        "inspect", object.string()};
    for (auto& word :
         preprocess_command(tree_.compile_command(target, overlay, object), preprocessed)) {
      command.push_back(std::move(word));
    }
    auto const tools = run_build_step(command);
    std::error_code removed;
    auto remove_outputs = [&] {
      for (auto const& file : {preprocessed, symbols, sections}) fs::remove(file, removed);
    };
    if (!stub || !tools.success()) {
      graded.notes.push_back(fmt::format(
          "review {}: what was compiled could not be inspected ({})", exercise.files.front(),
          stub ? "nm, readelf or the preprocessor failed on the submission's build" : why));
      remove_outputs();
      return;
    }
    CompiledUnit unit;
    read_symbols(unit, read_capped(symbols, symbols_limit, unit.truncated));
    read_sections(unit, read_capped(sections, symbols_limit, unit.truncated));
    read_preprocessed(unit, read_capped(preprocessed, preprocessed_limit, unit.truncated), overlay);
    read_object_bytes(unit, read_capped(object, preprocessed_limit, unit.truncated));
    remove_outputs();
    std::string files;
    for (auto const& file : exercise.files) {
      if (submission.find(chapter.slug, file) != nullptr)
        files += (files.empty() ? "" : ", ") + file;
    }
    for (auto const& finding :
         inspect(*stub, unit, *framework_symbols(target), tree_.exercises.at(target).chapter_dir)) {
      graded.notes.push_back(fmt::format("review {} (as compiled): {}", files, finding));
    }
  };

  auto const object = objects / (target + ".o");
  auto const program = programs / target;
  auto step_started = Clock::now();
  auto compiled = run_build_step(tree_.compile_command(target, overlay, object));
  graded.time.compile = seconds_since(step_started);
  if (!compiled.success()) {
    build_failure(compiled, "compile");
  } else {
    step_started = Clock::now();
    inspect_compiled(object);
    graded.time.inspect = seconds_since(step_started);
    step_started = Clock::now();
    auto linked = run_build_step(tree_.link_command(target, object, program));
    graded.time.link = seconds_since(step_started);
    if (!linked.success()) build_failure(linked, "link");
  }

  if (graded.compiled) {
    auto const run_started = Clock::now();
    SandboxRequest run;
    run.worker = worker;
    run.cwd = scratch;
    for (auto const& path : tree_.shared_paths) run.mounts.push_back({path, false});
    run.mounts.push_back({programs, false});
    run.mounts.push_back({scratch, true});
    run.limits = settings_.limits;
    run.memory = tree_.address_sanitizer ? MemoryLimit::sanitizer : MemoryLimit::address_space;
    // A tmpfs of a fixed size (as root), so that what the program writes there has a quota.
    ScratchMount scratch_mount(sandbox_, scratch, settings_.limits.scratch_size_mb, worker);
    if (!scratch_mount.error().empty()) graded.notes.push_back(scratch_mount.error());
    std::string cgroup_error;
    auto group = step_cgroup(run.limits, cgroup_error);
    bool const cgroup_failed = sandbox_.cgroups && !group;

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
    if (group) options.join_cgroups = group->procs_files();
    ExerciseOutcome outcome;
    if (cgroup_failed) {
      outcome.run.error = cgroup_error;
    } else {
      outcome = run_exercise(chapter, exercise, target, program, options, settings_.test_time);
    }
    CgroupMemory run_memory;
    if (group) {
      group->kill_all();
      run_memory = group->memory();
      group.reset();
    }
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
      static_cast<wb::testing::Verdict&>(out) = test;
      out.max_points = test.points;
      out.points = test.passed() ? test.points : 0;
      bool const failed = test.status == Status::fail;
      if (failed && ran_out_of_memory(test)) {
        out.reason = Reason::memory_limit;
        out.message = fmt::format("went past the memory limit of {} MB: {}",
                                  settings_.limits.memory_mb, test.message);
      } else if (run_memory.limit_hit && failed) {
        // The kernel killed a process of the submission for memory — the largest, which need
        // not be the one running a test: every test that failed in the run failed with it.
        out.reason = Reason::memory_limit;
        out.message = fmt::format(
            "memory limit hit ({} MB across its processes): {}",
            run_memory.peak_mb > 0 ? run_memory.peak_mb : settings_.limits.memory_mb, test.message);
      }
      out.output = cut_output(test.output, settings_.output_shown);
      graded.tests.push_back(std::move(out));
    }
    if (cgroup_failed && graded.tests.empty()) {
      fail_all(Reason::did_not_run, "the test program could not be started: " + cgroup_error);
    }
    graded.time.run = seconds_since(run_started);
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
  graded.time.other = seconds_since(started) - graded.time.total();
  return graded;
}

}  // namespace wb::grade
