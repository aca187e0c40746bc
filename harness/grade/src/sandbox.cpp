#include "wb/grade/sandbox.hpp"

#include <fmt/core.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include "wb/text/text.hpp"

namespace wb::grade {
using namespace wb::run;   // processes
using namespace wb::text;  // text helpers
namespace fs = std::filesystem;

namespace {

// The system folders a compiler and a test program need, bound read-only; /etc only as far as
// the compiler's alternatives and the dynamic loader go (never /etc/shadow and the like).
std::vector<std::string> system_mounts() {
  std::vector<std::string> args = {"--ro-bind", "/usr", "/usr"};
  for (char const* top : {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}) {
    std::error_code error;
    auto const status = fs::symlink_status(top, error);
    if (error) continue;
    if (fs::is_symlink(status)) {
      auto target = fs::read_symlink(top, error);
      if (!error) args.insert(args.end(), {"--symlink", target.string(), top});
    } else if (fs::is_directory(status)) {
      args.insert(args.end(), {"--ro-bind", top, top});
    }
  }
  for (char const* file : {"/etc/alternatives", "/etc/ld.so.cache", "/etc/ld.so.conf",
                           "/etc/ld.so.conf.d", "/etc/localtime"}) {
    args.insert(args.end(), {"--ro-bind-try", file, file});
  }
  return args;
}

// Processes and threads of `uid` (RLIMIT_NPROC counts both, over the whole machine).
int count_processes_of(uid_t uid) {
  int count = 0;
  std::error_code error;
  for (auto const& entry : fs::directory_iterator("/proc", error)) {
    auto const name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream status(entry.path() / "status");
    std::string line;
    bool mine = false;
    while (std::getline(status, line)) {
      if (line.starts_with("Uid:")) mine = std::atol(line.c_str() + 4) == static_cast<long>(uid);
      if (line.starts_with("Threads:") && mine) count += std::atoi(line.c_str() + 8);
    }
  }
  return count;
}

// Scratch folders mounted now, for the interrupt handler (plain characters: a handler may not
// allocate).
struct MountSlot {
  std::atomic<int> state{0};  // 0 free, 1 being filled, 2 mounted
  std::array<char, 1024> path{};
};
std::array<MountSlot, 16> mount_slots;

void unmount_on_interrupt() noexcept {
  for (auto& slot : mount_slots) {
    if (slot.state.load() == 2) ::umount2(slot.path.data(), MNT_DETACH);
  }
}

int take_mount_slot(fs::path const& dir) {
  static std::atomic<bool> registered{false};
  if (!registered.exchange(true)) add_interrupt_cleanup(&unmount_on_interrupt);
  auto const text = dir.string();
  if (text.size() >= MountSlot{}.path.size()) return -1;
  for (std::size_t i = 0; i < mount_slots.size(); ++i) {
    int expected = 0;
    if (!mount_slots[i].state.compare_exchange_strong(expected, 1)) continue;
    std::memcpy(mount_slots[i].path.data(), text.c_str(), text.size() + 1);
    mount_slots[i].state.store(2);
    return static_cast<int>(i);
  }
  return -1;
}

// Unmounts scratch folders left mounted by a workbook that was killed (SIGKILL gives it no
// chance): "wb-scratch" tmpfs mounts under a work-<pid> folder whose process is gone.
void unmount_stale_scratch() {
  std::ifstream mounts("/proc/self/mountinfo");
  for (std::string line; std::getline(mounts, line);) {
    if (line.find(" - tmpfs wb-scratch ") == std::string::npos) continue;
    std::istringstream fields(line);
    std::string id, parent, device, root, point;
    fields >> id >> parent >> device >> root >> point;
    auto const work = point.find("/work-");
    if (work == std::string::npos || point.find("\\") != std::string::npos) continue;
    auto const pid = static_cast<pid_t>(std::atol(point.c_str() + work + 6));
    if (pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH) ::umount2(point.c_str(), MNT_DETACH);
  }
}

// Can this process mount a tmpfs (root, and allowed to mount here)? Tried on a folder of its own.
std::string why_no_tmpfs() {
  if (::geteuid() != 0) return "not root: mount(2) is refused";
  char pattern[] = "/tmp/wb-grade-mount-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) return fmt::format("mkdtemp: {}", std::strerror(errno));
  std::string why;
  if (::mount("wb-scratch", pattern, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m") != 0) {
    why = fmt::format("mount(2) of a tmpfs fails here: {}", std::strerror(errno));
  } else {
    ::umount2(pattern, MNT_DETACH);
  }
  ::rmdir(pattern);
  return why;
}

}  // namespace

ScratchMount::ScratchMount(SandboxSetup const& setup, fs::path dir, std::size_t size_mb, int worker)
    : dir_(std::move(dir)) {
  if (!setup.scratch_tmpfs) return;
  auto const uid = sandbox_uid(setup, worker);
  // nr_inodes too: a tmpfs's inodes are memory its size does not count
  auto const options =
      fmt::format("size={}m,nr_inodes={},mode=0700,uid={},gid={}", size_mb, 4096, uid, uid);
  if (::mount("wb-scratch", dir_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
    error_ = fmt::format(
        "the scratch folder could not be made a tmpfs ({}): it is on the disk "
        "with no quota",
        std::strerror(errno));
    return;
  }
  mounted_ = true;
  cleanup_slot_ = take_mount_slot(dir_);
}

ScratchMount::~ScratchMount() {
  if (!mounted_) return;
  ::umount2(dir_.c_str(), MNT_DETACH);
  if (cleanup_slot_ >= 0) mount_slots[static_cast<std::size_t>(cleanup_slot_)].state.store(0);
}

uid_t sandbox_uid(SandboxSetup const& setup, int worker) {
  return setup.as_root ? setup.first_uid + static_cast<uid_t>(worker) : ::getuid();
}

void give_to_worker(SandboxSetup const& setup, int worker, fs::path const& dir) {
  if (!setup.as_root) return;
  auto const uid = sandbox_uid(setup, worker);
  [[maybe_unused]] int const ignored = ::chown(dir.c_str(), uid, uid);
}

SandboxSetup detect_sandbox(bool use_bubblewrap) {
  SandboxSetup setup;
  setup.as_root = ::geteuid() == 0;
  setup.prlimit = find_in_path("prlimit");
  setup.setpriv = find_in_path("setpriv");
  if (setup.as_root && !setup.setpriv) setup.as_root = false;  // cannot drop root without it
  // User ids of this run's own (8 workers at most): two runs at once, two instructors or a test
  // beside a run, neither end each other's processes (end_worker_processes ends all of a
  // user's) nor share a user's process limit.
  setup.first_uid += static_cast<uid_t>(::getpid() % 100'000) * 8;
  if (!setup.as_root) setup.processes_already = count_processes_of(::getuid());
  setup.cgroups = CgroupTree::make(detect_cgroups(), setup.why_no_cgroups);
  if (setup.as_root) unmount_stale_scratch();
  setup.why_no_scratch_tmpfs = why_no_tmpfs();
  setup.scratch_tmpfs = setup.why_no_scratch_tmpfs.empty();
  if (!use_bubblewrap) {
    setup.why_not_bubblewrap = "turned off with --no-sandbox";
    return setup;
  }
  setup.bwrap = find_in_path("bwrap");
  if (!setup.bwrap) {
    setup.why_not_bubblewrap = "bwrap is not installed (Debian: apt-get install bubblewrap)";
    return setup;
  }
  // Try exactly what grading will do: drop to a worker's user id, then make every namespace.
  SandboxRequest probe;
  probe.cwd = "/";
  auto argv = sandbox_launcher(setup, probe);
  argv.emplace_back("/bin/true");
  auto const result = run_command(argv, {}, 4096);
  if (result.success()) {
    setup.bubblewrap = true;
  } else {
    auto const said = std::string(trim(result.output));
    setup.why_not_bubblewrap = fmt::format(
        "bubblewrap cannot create its namespaces here ({})",
        said.empty() ? (result.error.empty() ? describe(result.status) : result.error) : said);
    setup.bwrap.reset();
  }
  return setup;
}

std::vector<std::string> sandbox_launcher(SandboxSetup const& setup,
                                          SandboxRequest const& request) {
  std::vector<std::string> argv;
  auto const& limits = request.limits;
  if (setup.prlimit) {
    argv = {setup.prlimit->string(),
            fmt::format("--nproc={}", limits.processes + setup.processes_already),
            fmt::format("--fsize={}", limits.file_size_mb << 20),
            fmt::format("--nofile={}", limits.open_files), "--core=0"};
    if (limits.cpu_seconds > 0) argv.push_back(fmt::format("--cpu={}", limits.cpu_seconds));
    if (request.memory == MemoryLimit::address_space) {
      argv.push_back(fmt::format("--as={}", limits.memory_mb << 20));
    }
    argv.emplace_back("--");
  }
  if (setup.as_root) {
    auto const uid = std::to_string(sandbox_uid(setup, request.worker));
    argv.insert(argv.end(),
                {setup.setpriv->string(), "--reuid", uid, "--regid", uid, "--clear-groups", "--"});
  }
  if (setup.bwrap) {
    // No --new-session: bubblewrap's own init must stay in the launcher's process group, so that
    // killing the group ends the init and with it every process in the sandbox's PID
    // namespace, even one that made a session of its own. The launcher itself starts in a new
    // session (SpawnOptions::new_session), which keeps the terminal out of reach all the same.
    argv.insert(argv.end(),
                {setup.bwrap->string(), "--unshare-all", "--die-with-parent", "--cap-drop", "ALL"});
    auto const system = system_mounts();
    argv.insert(argv.end(), system.begin(), system.end());
    // A /dev of its own with three devices and nothing else: no terminal (ptmx, pts, tty),
    // nothing to block a reader forever, nothing to fill (its tmpfs holds 1 MiB).
    argv.insert(argv.end(), {"--proc", "/proc", "--size", "1048576", "--tmpfs", "/dev"});
    for (char const* device : {"/dev/null", "/dev/zero", "/dev/urandom"}) {
      argv.insert(argv.end(), {"--dev-bind", device, device});
    }
    argv.insert(argv.end(), {"--symlink", "/proc/self/fd", "/dev/fd", "--size",
                             std::to_string(limits.tmp_size_mb << 20), "--tmpfs", "/tmp"});
    for (auto const& mount : request.mounts) {
      argv.insert(argv.end(), {mount.writable ? "--bind" : "--ro-bind", mount.path.string(),
                               mount.path.string()});
    }
    // The root bubblewrap makes is a tmpfs with no size: read-only once everything is mounted
    // on it (what is mounted keeps its own mode: /tmp and /dev have sizes).
    argv.insert(argv.end(), {"--remount-ro", "/"});
    if (!request.cwd.empty()) argv.insert(argv.end(), {"--chdir", request.cwd.string()});
    argv.emplace_back("--");
  }
  return argv;
}

void end_worker_processes(SandboxSetup const& setup, int worker) {
  if (!setup.as_root) return;
  auto const uid = std::to_string(sandbox_uid(setup, worker));
  // kill(-1) as the worker's own user reaches every process of that user and nothing else.
  run_command({setup.setpriv->string(), "--reuid", uid, "--regid", uid, "--clear-groups", "--",
               "/bin/sh", "-c", "kill -KILL -1 2>/dev/null; true"});
}

Environment sandbox_environment(SandboxRequest const& request) {
  Environment env = {{"PATH", "/usr/local/bin:/usr/bin:/bin"},
                     {"LANG", "C.UTF-8"},
                     {"LC_ALL", "C.UTF-8"},
                     {"HOME", "/tmp"},
                     {"TMPDIR", "/tmp"}};
  std::string asan = "detect_leaks=1";
  if (request.memory == MemoryLimit::sanitizer) {
    asan +=
        fmt::format(":hard_rss_limit_mb={0}:max_allocation_size_mb={0}", request.limits.memory_mb);
  }
  env.emplace_back("ASAN_OPTIONS", asan);
  env.emplace_back("UBSAN_OPTIONS", "print_stacktrace=1");
  return env;
}

std::string SandboxSetup::describe() const {
  std::string text;
  if (bubblewrap) {
    text =
        "bubblewrap: no network, read-only system, private /tmp; only the submission's own "
        "build and the course's tests are visible (not solutions/, not other submissions)";
  } else {
    text = fmt::format(
        "NO SANDBOX ({}): resource limits only — a submission can read whatever its user may "
        "read on this machine and open network connections",
        why_not_bubblewrap);
  }
  if (as_root) {
    text += fmt::format("; each worker runs as its own user id ({}…)", first_uid);
  } else if (::geteuid() == 0) {
    text += "; runs as root (setpriv is missing): process limits do not apply";
  }
  if (cgroups) {
    text += fmt::format(
        "; a cgroup {} per grading step: memory (tmpfs pages included, no swap), processes{} "
        "limited for all of its processes together",
        cgroups->version() == CgroupVersion::v2 ? "v2" : "v1",
        cgroups->limits_cpu() ? " and one CPU's time" : "");
  } else {
    text += fmt::format(
        "; NO CGROUPS ({}): memory is limited per process only (RLIMIT_AS or the sanitizer's), "
        "so several processes of one submission together can use more",
        why_no_cgroups);
  }
  if (scratch_tmpfs) {
    text += "; the folder a test program writes in is a tmpfs of a fixed size";
  } else {
    text += fmt::format(
        "; the folder a test program writes in is on this machine's disk with no quota ({})",
        why_no_scratch_tmpfs);
  }
  if (bubblewrap) text += "; the sandbox's root is read-only, its /tmp and /dev have sizes";
  if (!prlimit) text += "; prlimit is missing: no memory, process or file-size limits";
  return text;
}

}  // namespace wb::grade
