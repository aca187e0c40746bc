#include "wb/run/process.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>

extern char** environ;

namespace wb::run {
namespace fs = std::filesystem;

ExitStatus ExitStatus::from_wait_status(int status) {
  if (WIFSIGNALED(status)) return {Kind::signaled, WTERMSIG(status)};
  if (WIFEXITED(status)) return {Kind::exited, WEXITSTATUS(status)};
  return {Kind::exited, -1};
}

ExitStatus ExitStatus::through_launcher() const {
  if (kind == Kind::exited && value > 128 && value < 128 + NSIG) {
    return {Kind::signaled, value - 128};
  }
  return *this;
}

std::string signal_name(int signal) {
  static std::map<int, char const*> const names = {
      {SIGABRT, "SIGABRT"}, {SIGALRM, "SIGALRM"}, {SIGBUS, "SIGBUS"},   {SIGFPE, "SIGFPE"},
      {SIGHUP, "SIGHUP"},   {SIGILL, "SIGILL"},   {SIGINT, "SIGINT"},   {SIGKILL, "SIGKILL"},
      {SIGPIPE, "SIGPIPE"}, {SIGQUIT, "SIGQUIT"}, {SIGSEGV, "SIGSEGV"}, {SIGSYS, "SIGSYS"},
      {SIGTERM, "SIGTERM"}, {SIGTRAP, "SIGTRAP"}, {SIGUSR1, "SIGUSR1"}, {SIGUSR2, "SIGUSR2"},
      {SIGXCPU, "SIGXCPU"}, {SIGXFSZ, "SIGXFSZ"}};
  if (auto found = names.find(signal); found != names.end()) return found->second;
  return fmt::format("signal {}", signal);
}

std::string describe(ExitStatus status) {
  if (status.signaled()) return signal_name(status.value);
  return fmt::format("exit code {}", status.value);
}

namespace {

std::vector<std::string> environment_with(Environment const& changes, bool clear) {
  std::vector<std::string> entries;
  for (char** entry = clear ? nullptr : environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    auto name = text.substr(0, text.find('='));
    bool replaced = false;
    for (auto const& change : changes) replaced = replaced || change.first == name;
    if (!replaced) entries.emplace_back(text);
  }
  for (auto const& [name, value] : changes) entries.push_back(name + "=" + value);
  return entries;
}

std::vector<char*> pointers_to(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (auto& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

// spawn() for a child that joins cgroups before it execs: fork, then in the child only
// async-signal-safe calls (the workbook has threads) on what was prepared before the fork. A
// failure in the child is sent back through a close-on-exec pipe as {step, errno}; nothing
// arriving means the exec succeeded.
Spawned spawn_in_cgroups(SpawnOptions const& options) {
  std::string program = options.argv.front();
  if (program.find('/') == std::string::npos) {
    auto const found = find_in_path(program);
    if (!found) return {-1, fmt::format("could not start {}: not found in PATH", program)};
    program = found->string();
  }
  auto argv_strings = options.argv;
  auto argv = pointers_to(argv_strings);
  auto env_strings = environment_with(options.env, options.clear_env);
  auto envp = pointers_to(env_strings);
  std::string const cwd = options.cwd.string();
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) return {-1, "could not create a pipe"};

  sigset_t all;
  sigset_t before;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &before);  // no handler of ours runs in the child
  pid_t const pid = ::fork();
  if (pid == 0) {
    enum Step : int { join = 1, session, input, descriptors, directory, exec };
    auto fail = [&](int step) {
      int const message[2] = {step, errno};
      [[maybe_unused]] auto const written = ::write(report[1], message, sizeof message);
      ::_exit(127);
    };
    struct sigaction by_default {};
    by_default.sa_handler = SIG_DFL;
    for (int signal : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT}) {
      ::sigaction(signal, &by_default, nullptr);
    }
    for (auto const& file : options.join_cgroups) {
      int const fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0 || ::write(fd, "0", 1) != 1) fail(join);  // "0": the writing process
      ::close(fd);
    }
    if (options.new_session) {
      if (::setsid() < 0) fail(session);
    } else if (options.own_process_group) {
      if (::setpgid(0, 0) < 0) fail(session);
    }
    if (options.stdin_fd >= 0) {
      if (::dup2(options.stdin_fd, STDIN_FILENO) < 0) fail(input);
    } else {
      int const null = ::open("/dev/null", O_RDONLY);
      if (null < 0 || ::dup2(null, STDIN_FILENO) < 0) fail(input);
      if (null != STDIN_FILENO) ::close(null);
    }
    auto map = [&](int source, int target) {
      if (source == target) {
        if (::fcntl(source, F_SETFD, 0) < 0) fail(descriptors);
      } else if (::dup2(source, target) < 0) {
        fail(descriptors);
      }
    };
    if (options.stdout_fd >= 0) map(options.stdout_fd, STDOUT_FILENO);
    if (options.stderr_fd >= 0) map(options.stderr_fd, STDERR_FILENO);
    for (auto const& [source, target] : options.extra_fds) map(source, target);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) fail(directory);
    sigset_t none;
    sigemptyset(&none);
    ::pthread_sigmask(SIG_SETMASK, &none, nullptr);
    ::execve(program.c_str(), argv.data(), envp.data());
    fail(exec);
  }
  int const fork_error = errno;
  ::pthread_sigmask(SIG_SETMASK, &before, nullptr);
  ::close(report[1]);
  if (pid < 0) {
    ::close(report[0]);
    return {-1, fmt::format("could not start {}: {}", program, std::strerror(fork_error))};
  }
  int message[2] = {0, 0};
  ssize_t got = 0;
  do {
    got = ::read(report[0], message, sizeof message);
  } while (got < 0 && errno == EINTR);
  ::close(report[0]);
  if (got <= 0) return {pid, {}};
  wait_for(pid);
  static constexpr char const* steps[] = {"",
                                          "could not join its cgroup",
                                          "could not start a session",
                                          "could not open its input",
                                          "could not set up its output",
                                          "could not change to its folder",
                                          "could not be run"};
  auto const step = message[0] >= 1 && message[0] <= 6 ? message[0] : 6;
  return {-1, fmt::format("could not start {}: {} ({})", options.argv.front(), steps[step],
                          std::strerror(message[1]))};
}

}  // namespace

Spawned spawn(SpawnOptions const& options) {
  if (options.argv.empty()) return {-1, "no program to run"};
  if (interrupted() != 0) return {-1, "interrupted: nothing more is started"};
  if (!options.join_cgroups.empty()) return spawn_in_cgroups(options);
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attributes);

  if (options.stdin_fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, options.stdin_fd, STDIN_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  }
  if (options.stdout_fd >= 0) posix_spawn_file_actions_adddup2(&actions, options.stdout_fd, 1);
  if (options.stderr_fd >= 0) posix_spawn_file_actions_adddup2(&actions, options.stderr_fd, 2);
  for (auto const& [source, target] : options.extra_fds) {
    posix_spawn_file_actions_adddup2(&actions, source, target);
  }
  std::string const cwd = options.cwd.string();
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());

  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  sigset_t no_signals;
  sigemptyset(&no_signals);
  posix_spawnattr_setsigmask(&attributes, &no_signals);
  sigset_t defaults;  // the workbook's own handlers must not leak into the child
  sigemptyset(&defaults);
  for (int signal : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT}) sigaddset(&defaults, signal);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  if (options.new_session) {
    flags |= POSIX_SPAWN_SETSID;  // a session leader also leads a new process group
  } else if (options.own_process_group) {
    flags |= POSIX_SPAWN_SETPGROUP;
    posix_spawnattr_setpgroup(&attributes, 0);
  }
  posix_spawnattr_setflags(&attributes, flags);

  auto argv_strings = options.argv;
  auto argv = pointers_to(argv_strings);
  auto env_strings = environment_with(options.env, options.clear_env);
  auto envp = pointers_to(env_strings);

  pid_t pid = -1;
  int const error = ::posix_spawnp(&pid, argv[0], &actions, &attributes, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (error != 0) {
    return {-1, fmt::format("could not start {}: {}", options.argv[0], std::strerror(error))};
  }
  return {pid, {}};
}

ExitStatus wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return {ExitStatus::Kind::exited, -1};
  }
  return ExitStatus::from_wait_status(status);
}

std::optional<Pipe> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return std::nullopt;
  Pipe pipe;
  // Above 10, so that mapping them onto 0-3 in a child never collides with their own numbers.
  pipe.read = ::fcntl(fds[0], F_DUPFD_CLOEXEC, 10);
  pipe.write = ::fcntl(fds[1], F_DUPFD_CLOEXEC, 10);
  ::close(fds[0]);
  ::close(fds[1]);
  if (pipe.read < 0 || pipe.write < 0) {
    close_fd(pipe.read);
    close_fd(pipe.write);
    return std::nullopt;
  }
  return pipe;
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

CommandResult run_command(std::vector<std::string> const& argv, fs::path const& cwd,
                          std::size_t output_limit) {
  SpawnOptions options;
  options.argv = argv;
  options.cwd = cwd;
  return run_command(std::move(options), output_limit);
}

CommandResult run_command(SpawnOptions options, std::size_t output_limit) {
  CommandResult result;
  auto pipe = make_pipe();
  if (!pipe) {
    result.error = "could not create a pipe";
    return result;
  }
  options.stdout_fd = pipe->write;
  options.stderr_fd = pipe->write;
  auto child = spawn(options);
  close_fd(pipe->write);
  if (child.pid < 0) {
    close_fd(pipe->read);
    result.error = child.error;
    return result;
  }
  if (options.own_process_group) track_process_group(child.pid);
  // a deferred interrupt that came between the start and the tracking missed this group
  if (options.own_process_group && interrupted() != 0) ::kill(-child.pid, SIGKILL);
  result.started = true;
  std::array<char, 8192> buffer;
  using Clock = std::chrono::steady_clock;
  auto const deadline = Clock::now() + options.wall_limit;
  for (;;) {
    if (options.wall_limit.count() > 0) {
      auto const left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      pollfd readable{pipe->read, POLLIN, 0};
      int const ready = left > 0 ? ::poll(&readable, 1, static_cast<int>(left)) : 0;
      if (ready < 0 && errno == EINTR) continue;
      if (ready == 0) {  // out of time: the whole group goes, which also closes the pipe
        result.timed_out = true;
        ::kill(options.own_process_group ? -child.pid : child.pid, SIGKILL);
        break;
      }
    }
    auto n = ::read(pipe->read, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    auto keep = std::min<std::size_t>(static_cast<std::size_t>(n),
                                      output_limit - std::min(output_limit, result.output.size()));
    result.output.append(buffer.data(), keep);
  }
  close_fd(pipe->read);
  if (options.own_process_group) {
    ::kill(-child.pid, SIGKILL);  // helpers it left behind go with it
    untrack_process_group(child.pid);
  }
  result.status = wait_for(child.pid);
  return result;
}

CommandResult run_command_to_file(std::vector<std::string> const& argv, fs::path const& log,
                                  fs::path const& cwd) {
  CommandResult result;
  int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    result.error = fmt::format("could not write {}: {}", log.string(), std::strerror(errno));
    return result;
  }
  SpawnOptions options;
  options.argv = argv;
  options.cwd = cwd;
  options.stdout_fd = fd;
  options.stderr_fd = fd;
  auto child = spawn(options);
  close_fd(fd);
  if (child.pid < 0) {
    result.error = child.error;
    return result;
  }
  result.started = true;
  result.status = wait_for(child.pid);
  return result;
}

std::optional<fs::path> find_in_path(std::string_view program) {
  if (program.find('/') != std::string_view::npos) {
    if (::access(std::string(program).c_str(), X_OK) == 0) return fs::path(program);
    return std::nullopt;
  }
  char const* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!dirs.empty()) {
    auto colon = dirs.find(':');
    auto dir = dirs.substr(0, colon);
    dirs = colon == std::string_view::npos ? std::string_view{} : dirs.substr(colon + 1);
    if (dir.empty()) continue;
    auto candidate = fs::path(dir) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

namespace {

std::array<std::atomic<pid_t>, 8> tracked_groups{};
std::atomic<void (*)() noexcept> interrupt_cleanup{nullptr};
std::array<std::atomic<void (*)() noexcept>, 4> more_interrupt_cleanups{};

std::atomic<bool> interrupts_deferred{false};
std::atomic<int> deferred_signal{0};

void on_interrupt(int signal) {
  bool const first = deferred_signal.exchange(signal) == 0;
  if (first && interrupts_deferred.load()) {
    // the flag is set before the kills: whoever sees a killed child sees the flag too
    for (auto& group : tracked_groups) {
      pid_t const pid = group.load();
      if (pid > 0) ::kill(-pid, SIGKILL);
    }
    return;
  }
  if (auto* cleanup = interrupt_cleanup.load()) cleanup();
  for (auto& slot : more_interrupt_cleanups) {
    if (auto* cleanup = slot.load()) cleanup();
  }
  for (auto& group : tracked_groups) {
    pid_t const pid = group.load();
    if (pid > 0) ::kill(-pid, SIGKILL);
  }
  ::signal(signal, SIG_DFL);
  ::raise(signal);
}

}  // namespace

void set_interrupt_cleanup(void (*cleanup)() noexcept) { interrupt_cleanup.store(cleanup); }

void add_interrupt_cleanup(void (*cleanup)() noexcept) {
  for (auto& slot : more_interrupt_cleanups) {
    decltype(cleanup) expected = nullptr;
    if (slot.compare_exchange_strong(expected, cleanup)) return;
  }
}

void defer_interrupts(bool on) { interrupts_deferred.store(on); }

int interrupted() { return interrupts_deferred.load() ? deferred_signal.load() : 0; }

void install_interrupt_handler() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(signal, &action, nullptr);
}

void track_process_group(pid_t group) {
  for (auto& slot : tracked_groups) {
    pid_t expected = 0;
    if (slot.compare_exchange_strong(expected, group)) return;
  }
}

void untrack_process_group(pid_t group) {
  for (auto& slot : tracked_groups) {
    pid_t expected = group;
    if (slot.compare_exchange_strong(expected, 0)) return;
  }
}

}  // namespace wb::run
