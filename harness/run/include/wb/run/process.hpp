// Starting and waiting for other programs: the compiler driver (cmake), git, and the test
// programs the runner watches. posix_spawn keeps starting a child cheap even from a process with
// a sanitizer's large address space.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wb::run {

/// How a process ended: its exit code, or the signal that killed it.
struct ExitStatus {
  enum class Kind { exited, signaled };
  Kind kind = Kind::exited;
  int value = 0;

  bool success() const { return kind == Kind::exited && value == 0; }
  bool signaled() const { return kind == Kind::signaled; }
  static ExitStatus from_wait_status(int status);
  /// The status of a program run through a launcher (bubblewrap, a shell) that reports a child
  /// killed by signal N as its own exit code 128 + N: that code read back as the signal.
  ExitStatus through_launcher() const;
};

/// "SIGSEGV", "SIGABRT", … ("signal 42" for one without a name).
std::string signal_name(int signal);
/// "exit code 3" or "SIGSEGV".
std::string describe(ExitStatus status);

/// Variables set (or replaced) in a child's environment on top of the current one.
using Environment = std::vector<std::pair<std::string, std::string>>;

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH unless it holds a '/'
  std::filesystem::path cwd;      // empty: the current directory
  Environment env;
  bool clear_env = false;  // start from an empty environment instead of the current one
  int stdin_fd = -1;       // -1: /dev/null
  int stdout_fd = -1;      // -1: inherited
  int stderr_fd = -1;      // -1: inherited
  std::vector<std::pair<int, int>> extra_fds;  // {fd here, fd number in the child}
  bool own_process_group = false;  // the child leads a new group, so it and its children can
                                   // be killed together
  bool new_session = false;        // … and a new session, without the terminal: code nobody has
                                   // reviewed cannot type into the instructor's shell (TIOCSTI)
  // run_command only: how long it may run by the wall clock (0: no limit). CPU limits miss a
  // process that sleeps or blocks — a compiler reading a device that never answers — so a step
  // that runs code nobody has reviewed needs both. Needs own_process_group to end helpers too.
  std::chrono::milliseconds wall_limit{0};
  // cgroup.procs files the child writes itself into before it execs (the grader's cgroups:
  // limits on a submission's processes together), so that nothing it runs is ever outside
  // them. Such a child is started with fork and exec instead of posix_spawn, which has no
  // hook between the two; it does not start at all when a file cannot be written.
  std::vector<std::string> join_cgroups;
};

struct Spawned {
  pid_t pid = -1;
  std::string error;  // why it could not start, when pid is -1
};
Spawned spawn(SpawnOptions const& options);

/// Waits for `pid` and returns how it ended.
ExitStatus wait_for(pid_t pid);

struct CommandResult {
  bool started = false;
  std::string error;  // why it could not start
  ExitStatus status;
  std::string output;      // stdout and stderr together (empty when written to a file)
  bool timed_out = false;  // killed at SpawnOptions::wall_limit

  bool success() const { return started && status.success(); }
};

/// Runs a command to its end with stdout and stderr captured together, keeping at most
/// `output_limit` bytes.
CommandResult run_command(std::vector<std::string> const& argv,
                          std::filesystem::path const& cwd = {},
                          std::size_t output_limit = 8u << 20);
/// The same for a command described in full (its environment, its own process group — killed
/// as a whole once the command's output ends); stdout and stderr are captured whatever `options`
/// says about them.
CommandResult run_command(SpawnOptions options, std::size_t output_limit = 8u << 20);
/// Runs a command to its end with stdout and stderr written to `log` (replaced).
CommandResult run_command_to_file(std::vector<std::string> const& argv,
                                  std::filesystem::path const& log,
                                  std::filesystem::path const& cwd = {});

/// The full path of `program` found in PATH, if any.
std::optional<std::filesystem::path> find_in_path(std::string_view program);

/// A pipe whose ends are close-on-exec and numbered above the standard descriptors, so they can be
/// mapped onto any number in a child.
struct Pipe {
  int read = -1;
  int write = -1;
};
std::optional<Pipe> make_pipe();
void close_fd(int& fd);

/// Child process groups that must not outlive the workbook: on Ctrl-C (SIGINT, SIGTERM, SIGHUP)
/// the workbook kills them before it ends.
void install_interrupt_handler();
/// A function the interrupt handler calls first (it must be async-signal-safe): watch restores
/// the terminal's settings with it.
void set_interrupt_cleanup(void (*cleanup)() noexcept);
/// One more such function, called after that one (up to four; the grader removes its cgroups
/// and unmounts its scratch folders with them).
void add_interrupt_cleanup(void (*cleanup)() noexcept);
/// While on, the first SIGINT, SIGTERM or SIGHUP does not end the workbook: the tracked process
/// groups are killed, interrupted() names the signal and spawn() starts nothing more, so that a
/// command (grade) can finish its clean-up and then end. A second signal ends it at once.
void defer_interrupts(bool on);
/// The signal that arrived while interrupts were deferred; 0 if none.
int interrupted();
void track_process_group(pid_t group);
void untrack_process_group(pid_t group);

}  // namespace wb::run
