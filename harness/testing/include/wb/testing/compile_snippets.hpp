// wb::testing::compile_snippets — runs the C++ compiler on a few small source files at once and
// keeps what it said about each, for tests that check a learner's prediction of whether a
// snippet compiles. The compiler runs in English (LC_ALL=C) so that its messages read the same
// on every machine.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

extern char** environ;

namespace wb::testing {

/// What the compiler made of one file.
struct CompileOutcome {
  bool compiles = false;
  std::string diagnostics;  // everything it printed
  std::string failure;      // set when the compiler could not be run at all
};

namespace detail {

inline CompileOutcome run_compiler(std::vector<std::string> const& argv) {
  CompileOutcome outcome;
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    outcome.failure = std::string("could not create a pipe: ") + std::strerror(errno);
    return outcome;
  }
  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (std::string_view(*entry).starts_with("LC_ALL=")) continue;
    environment.emplace_back(*entry);
  }
  environment.emplace_back("LC_ALL=C");
  std::vector<char*> envp;
  for (auto& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  for (auto& arg : args) argp.push_back(arg.data());
  argp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  pid_t pid = -1;
  int const spawned = ::posix_spawnp(&pid, argp[0], &actions, nullptr, argp.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (spawned != 0) {
    ::close(pipe_fds[0]);
    outcome.failure =
        "could not start the compiler " + argv.front() + ": " + std::strerror(spawned);
    return outcome;
  }
  char buffer[4096];
  for (;;) {
    auto const got = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (got > 0) {
      outcome.diagnostics.append(buffer, static_cast<std::size_t>(got));
    } else if (got == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  outcome.compiles = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (WIFSIGNALED(status)) {
    outcome.failure = "the compiler was killed by signal " + std::to_string(WTERMSIG(status));
  }
  return outcome;
}

inline std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

/// "/usr/include/c++/12/bits/x.h:90:56: error: …" becomes "x.h:90:56: error: …".
inline std::string without_directories(std::string_view line) {
  line = trim(line);
  auto const colon = line.find(':');
  if (colon == std::string_view::npos) return std::string(line);
  auto const slash = line.substr(0, colon).rfind('/');
  if (slash == std::string_view::npos) return std::string(line);
  return std::string(line.substr(slash + 1));
}

}  // namespace detail

/// Runs `command` followed by each file's path, all files at once (one compiler process each),
/// and returns the outcomes in the order of `files`.
inline std::vector<CompileOutcome> compile_snippets(std::vector<std::string> const& command,
                                                    std::vector<std::string> const& files) {
  std::vector<CompileOutcome> outcomes(files.size());
  std::vector<std::thread> runs;
  for (std::size_t i = 0; i < files.size(); ++i) {
    runs.emplace_back([&, i] {
      auto argv = command;
      argv.push_back(files[i]);
      outcomes[i] = detail::run_compiler(argv);
    });
  }
  for (auto& run : runs) run.join();
  return outcomes;
}

/// The compiler's first error, in at most two lines without directories: where in `file_name`
/// the trouble starts (when the error itself lies in a library header), then the error.
inline std::string first_error(std::string_view diagnostics, std::string_view file_name) {
  std::string where;
  std::size_t start = 0;
  while (start < diagnostics.size()) {
    auto end = diagnostics.find('\n', start);
    if (end == std::string_view::npos) end = diagnostics.size();
    auto const line = diagnostics.substr(start, end - start);
    start = end + 1;
    bool const in_snippet = detail::without_directories(line).starts_with(file_name);
    if (line.find(": error: ") != std::string_view::npos ||
        line.find(": fatal error: ") != std::string_view::npos) {
      auto error = detail::without_directories(line);
      if (!in_snippet && !where.empty()) return where + "\n" + error;
      return error;
    }
    if (in_snippet && line.find("required from here") != std::string_view::npos) {
      where = detail::without_directories(line);
    }
  }
  return std::string(detail::trim(diagnostics.substr(0, diagnostics.find('\n'))));
}

}  // namespace wb::testing
