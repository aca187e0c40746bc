// Control groups for grading: the processes of one grading step (a compile, a link, a test run)
// in a cgroup of their own, so that memory (tmpfs pages included), processes and CPU are limited
// for all of them together — RLIMIT_AS holds one process, and four processes of 1.5 GB each got
// past a 2048 MB limit. cgroup v2 where the unified hierarchy hands memory and pids on to
// children of this process's cgroup, else the v1 memory, pids (and cpu) hierarchies.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wb::grade {

/// One line of /proc/self/cgroup: "7:memory:/some/path" (v1) or "0::/some/path" (v2).
struct CgroupMembership {
  int hierarchy = 0;
  std::vector<std::string> controllers;  // empty for v2; "name=systemd" for a named hierarchy
  std::string path;
};
std::vector<CgroupMembership> parse_proc_cgroup(std::string_view text);

/// A cgroup file system in /proc/self/mountinfo.
struct CgroupMount {
  std::filesystem::path mount_point;
  std::string root;  // the cgroup mounted there ("/" unless a container sees only its own)
  bool v2 = false;
  std::vector<std::string> controllers;  // v1: from the mount's options ("memory", "cpu"…)
};
std::vector<CgroupMount> parse_cgroup_mounts(std::string_view mountinfo);

enum class CgroupVersion { none, v1, v2 };

/// The folders this process may make child cgroups in, one per controller (all the same
/// folder for v2). `cpu` is empty when CPU cannot be limited.
struct CgroupPlaces {
  CgroupVersion version = CgroupVersion::none;
  std::string why_not;  // when none: what is missing, for the report
  std::filesystem::path memory;
  std::filesystem::path pids;
  std::filesystem::path cpu;
};

/// Where the cgroups of this process are, from the texts of /proc/self/cgroup and
/// /proc/self/mountinfo. v2 needs memory and pids in the own cgroup's cgroup.subtree_control
/// (a cgroup with processes in it cannot hand controllers on, so that is what can be used
/// without moving this process); v1 needs writable memory and pids hierarchies.
CgroupPlaces find_cgroups(std::string_view proc_cgroup, std::string_view mountinfo);

/// What one group of processes may use together.
struct CgroupLimits {
  std::size_t memory_mb = 2048;  // memory and tmpfs pages together; no swap beyond it
  int processes = 128;           // processes and threads
  int cpus = 1;                  // CPUs' worth of time per period
};

/// What the kernel saw of a group's memory: whether it went past the limit (a process of it
/// was killed for memory), and its peak use.
struct CgroupMemory {
  bool limit_hit = false;
  int oom_kills = 0;
  std::size_t peak_mb = 0;  // 0 when the kernel does not say
};

/// The workbook's own cgroup for a run, wb-grade-<pid> under this process's cgroup in every
/// hierarchy used, and its children: one per grading step, made, filled, emptied and removed.
/// Removed on every path: the destructor, and the interrupt handler (SIGINT, SIGTERM, SIGHUP)
/// for what exists when the workbook is stopped. Ones left by a workbook that was killed
/// (wb-grade-<pid> of a process that is gone) are removed when the next one starts.
class CgroupTree {
 public:
  /// Makes the run's cgroup; nothing and `why_not` set when it cannot.
  static std::shared_ptr<CgroupTree> make(CgroupPlaces const& places, std::string& why_not);
  ~CgroupTree();
  CgroupTree(CgroupTree const&) = delete;
  CgroupTree& operator=(CgroupTree const&) = delete;

  CgroupVersion version() const { return places_.version; }
  bool limits_cpu() const { return !places_.cpu.empty(); }
  /// The run's own folders (one per hierarchy).
  std::vector<std::filesystem::path> const& folders() const { return folders_; }

  /// The CPU weight of the run's cgroup against the machine's other processes: `workers`
  /// processes' worth, as the workers' processes would have outside it (nested, all the steps'
  /// groups would otherwise share the weight of one process when the machine is busy).
  void set_workers(int workers) const;

  class Group;
  /// A child `name` with `limits`; nothing and `error` set when it cannot be made.
  std::unique_ptr<Group> group(std::string const& name, CgroupLimits const& limits,
                               std::string& error) const;

 private:
  explicit CgroupTree(CgroupPlaces places) : places_(std::move(places)) {}
  CgroupPlaces places_;
  std::vector<std::filesystem::path> folders_;  // memory, pids, cpu (v1) or the one (v2)
  int cleanup_slot_ = -1;
};

/// One grading step's processes. Its processes join it themselves before they exec
/// (SpawnOptions::join_cgroups names the files they write to); the destructor kills whatever is
/// left in it and removes it.
class CgroupTree::Group {
 public:
  ~Group();
  Group(Group const&) = delete;
  Group& operator=(Group const&) = delete;

  /// The cgroup.procs files a process writes "0" to, to join every hierarchy of the group.
  std::vector<std::string> procs_files() const;
  /// Kills every process in the group and waits (a little) until it is empty.
  void kill_all() const;
  /// What the kernel counted of the group's memory so far.
  CgroupMemory memory() const;

 private:
  friend class CgroupTree;
  Group() = default;
  CgroupVersion version_ = CgroupVersion::none;
  std::vector<std::filesystem::path> folders_;
  std::filesystem::path memory_folder_;
  std::size_t limit_mb_ = 0;
  int cleanup_slot_ = -1;
};

/// The cgroups of this process and what they allow, read from /proc/self.
CgroupPlaces detect_cgroups();

}  // namespace wb::grade
