// `workbook run PROGRAM [--mine] [-- ARGS...]`: builds one of the course's runnable programs —
// today the capstone's chat server — and runs it in the foreground with ARGS, so a learner can
// talk to it with nc or telnet. The reference version is built from solutions/; --mine builds
// it from the learner's own exercise files. Ctrl-C goes to the program, not to the workbook.
#include <fmt/core.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include "wb/cli/command_spec.hpp"
#include "wb/cli/commands.hpp"
#include "wb/run/build.hpp"

namespace wb::cli {
using namespace wb::run;
namespace fs = std::filesystem;

namespace {

struct Program {
  std::string_view name;       // what the learner types: `run chat`
  std::string_view chapter;    // the chapter whose exercises it is built from
  std::string_view reference;  // its target built from solutions/
  std::string_view mine;       // its target built from the learner's files
  std::string_view description;
};

constexpr std::array programs{
    Program{"chat", "ch16", "wb_chat_server", "wb_chat_server_mine",
            "chapter 16's chat server (try: run chat -- --port 0, then nc 127.0.0.1 PORT)"},
};

Program const* find_program(std::string_view name) {
  for (auto const& program : programs) {
    if (program.name == name) return &program;
  }
  return nullptr;
}

std::string program_list() {
  std::string text;
  for (auto const& program : programs) {
    text += fmt::format("\n  {:<6} {}", program.name, program.description);
  }
  return text;
}

}  // namespace

int run_program(Session const& session, RunProgramOptions const& options) {
  auto const* program = find_program(options.program);
  if (program == nullptr) {
    session.error(fmt::format("there is no program \"{}\" to run; the programs are:{}",
                              options.program, program_list()));
    return exit_usage;
  }
  auto const chapter_dir = session.resolve(std::string(program->chapter));
  if (!chapter_dir) return exit_usage;
  auto const& paths = session.paths;
  auto const& term = session.term;

  bool const mine = options.mine;
  if (!mine && !fs::is_directory(paths.solutions_dir() / chapter_dir->slug)) {
    session.error(fmt::format(
        "this copy of the course has no reference solutions, so there is no reference {} to "
        "run; `workbook run {} --mine` runs the one built from your own files",
        program->name, program->name));
    return exit_usage;
  }
  std::string const target(mine ? program->mine : program->reference);
  auto const log = paths.logs_dir() / fmt::format("run-{}.log", target);

  term.status(fmt::format("building {}…", target));
  auto const build = build_targets({paths.build_dir, {target}, log});
  term.clear_status();
  if (!build.error.empty()) {
    session.error(fmt::format("cannot build {}: {}", target, build.error));
    fmt::print(stderr, "Run scripts/workbook doctor to see what is missing.\n");
    return exit_usage;
  }
  if (!build.success) {
    session.error(fmt::format("{} does not build{}", target,
                              mine ? fmt::format(" from your files: `workbook check {}` shows "
                                                 "the first error in them",
                                                 chapter_dir->id)
                                   : std::string()));
    for (auto const& step : build.failures) {
      auto const diagnostic = first_error(step.text, {}, "chapters/");
      if (diagnostic) {
        fmt::print(stderr, "  {}:{}: {}\n", session.shorten(diagnostic->file), diagnostic->line,
                   diagnostic->message);
        break;
      }
    }
    fmt::print(stderr, "full log: {}\n", paths.shown(log).string());
    return exit_usage;
  }

  auto const executable = paths.programs_dir(chapter_dir->id) / target;
  if (!fs::exists(executable)) {
    session.error(
        fmt::format("{} was built but is not at {}", target, paths.shown(executable).string()));
    return exit_usage;
  }
  if (mine) {
    fmt::print(stderr, "{}\n",
               term.dim(fmt::format("running {} built from your files in {}", program->name,
                                    paths.shown(chapter_dir->dir).string())));
  }

  // The program takes over this process: its output, its exit code and Ctrl-C are its own.
  std::vector<std::string> argv{executable.string()};
  argv.insert(argv.end(), options.args.begin(), options.args.end());
  std::vector<char*> raw;
  for (auto& arg : argv) raw.push_back(arg.data());
  raw.push_back(nullptr);
  std::fflush(stdout);
  std::fflush(stderr);
  ::execv(raw[0], raw.data());
  session.error(
      fmt::format("cannot run {}: {}", paths.shown(executable).string(), std::strerror(errno)));
  return exit_usage;
}

CommandSpec run_command() {
  auto options = std::make_shared<RunProgramOptions>();
  return {"run",
          "Build and run one of the course's programs: chat (chapter 16's chat server)",
          "Example: workbook run chat -- --port 0",
          {{"program", "The program: chat", &options->program, true},
           {"--mine", "Build it from your exercise files instead of the reference solutions",
            &options->mine},
           {"args", "Arguments for the program, after --", &options->args}},
          {},
          [options](Session const& session) { return run_program(session, *options); }};
}

}  // namespace wb::cli
