// The sandbox `workbook grade` runs a submission's compiler and test programs in: bubblewrap
// where it works (no network, a read-only system, a private /tmp, only the folders named here
// visible), resource limits always (memory, processes, file size, core dumps), and — when the
// workbook runs as root — a user id of its own per worker, so that limits on processes apply and
// files readable only by their owners stay unreadable. Without bubblewrap the limits and the
// user id are all there is, and describe() says so. Where cgroups can be made (cgroup.hpp),
// each grading step's processes share one memory, process and CPU limit; as root, the folder a
// test program writes in is a tmpfs of a fixed size.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "wb/grade/cgroup.hpp"
#include "wb/run/process.hpp"

namespace wb::grade {

/// What a sandboxed program may use.
struct SandboxLimits {
  std::size_t memory_mb = 2048;      // address space, or the sanitizer's RSS limit (see below)
  int processes = 128;               // processes and threads of the sandbox's user
  std::size_t file_size_mb = 64;     // largest file it may write
  std::size_t tmp_size_mb = 64;      // its private /tmp
  std::size_t scratch_size_mb = 64;  // the folder a test program runs in (a tmpfs, as root)
  int open_files = 256;
  int cpu_seconds = 0;  // CPU time of each process (0: no limit); for compilers
};

/// How memory is limited for a program built with or without AddressSanitizer (which reserves
/// terabytes of address space at start, so RLIMIT_AS and RLIMIT_DATA would stop it at once).
enum class MemoryLimit {
  address_space,  // RLIMIT_AS: hard, enforced by the kernel
  sanitizer,      // ASan's own hard_rss_limit_mb and max_allocation_size_mb: enforced in-process
};

struct SandboxSetup {
  bool bubblewrap = false;         // bubblewrap works on this machine
  std::string why_not_bubblewrap;  // when it does not: what went wrong
  std::optional<std::filesystem::path> bwrap;
  std::optional<std::filesystem::path> prlimit;  // util-linux: sets the limits
  std::optional<std::filesystem::path> setpriv;  // util-linux: drops root for a worker's uid
  bool as_root = false;                          // each worker runs as its own unused user id
  uid_t first_uid = 1'900'000'000;               // worker N runs as first_uid + N (+ 8 × pid)
  int processes_already = 0;                     // this user's processes now (when not root)
  /// The run's cgroups (one per step is made in it): limits on a step's processes together.
  std::shared_ptr<CgroupTree> cgroups;
  std::string why_no_cgroups;
  bool scratch_tmpfs = false;  // the scratch folder can be a tmpfs of its own (root: mount(2))
  std::string why_no_scratch_tmpfs;

  /// One paragraph for the report: what isolates a submission here, and what does not.
  std::string describe() const;
};

/// Looks at this machine: is bubblewrap installed, and can it make namespaces (it is tried)?
/// `use_bubblewrap` false skips it (what --no-sandbox asks for).
SandboxSetup detect_sandbox(bool use_bubblewrap);

struct SandboxMount {
  std::filesystem::path path;  // the same path inside and out
  bool writable = false;
};

struct SandboxRequest {
  std::vector<SandboxMount> mounts;  // besides the system's /usr, /etc essentials, /proc, /dev
  std::filesystem::path cwd;
  int worker = 0;
  MemoryLimit memory = MemoryLimit::address_space;
  SandboxLimits limits;
};

/// The programs and options to put before a command to run it sandboxed (RunOptions::launcher,
/// or the front of a command's argv).
std::vector<std::string> sandbox_launcher(SandboxSetup const& setup, SandboxRequest const& request);

/// The environment a sandboxed program gets (with SpawnOptions::clear_env): a PATH, a locale,
/// HOME and TMPDIR in /tmp, and the sanitizers' options with the memory limit when it is theirs.
run::Environment sandbox_environment(SandboxRequest const& request);

/// Ends every process of worker `worker`'s user (when running as root, where that user is the
/// worker's alone): whatever escaped its process group and namespace goes too.
void end_worker_processes(SandboxSetup const& setup, int worker);

/// A test program's scratch folder made a tmpfs of `size_mb` for worker `worker` (where the
/// setup allows it), unmounted when this ends — and by the interrupt handler when the workbook
/// is stopped first.
class ScratchMount {
 public:
  ScratchMount(SandboxSetup const& setup, std::filesystem::path dir, std::size_t size_mb,
               int worker);
  ~ScratchMount();
  ScratchMount(ScratchMount const&) = delete;
  ScratchMount& operator=(ScratchMount const&) = delete;
  bool mounted() const { return mounted_; }
  std::string const& error() const { return error_; }

 private:
  std::filesystem::path dir_;
  bool mounted_ = false;
  std::string error_;
  int cleanup_slot_ = -1;
};

/// The user id worker `worker` runs as (when the workbook runs as root).
uid_t sandbox_uid(SandboxSetup const& setup, int worker);

/// Makes `dir` writable by worker `worker`'s user (a no-op unless running as root).
void give_to_worker(SandboxSetup const& setup, int worker, std::filesystem::path const& dir);

}  // namespace wb::grade
