#include "wb/grade/cgroup.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include "wb/run/process.hpp"
#include "wb/text/text.hpp"

namespace wb::grade {
namespace fs = std::filesystem;

namespace {

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  for (;;) {
    auto const at = text.find(separator);
    parts.emplace_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

bool has(std::vector<std::string> const& words, std::string_view word) {
  for (auto const& each : words) {
    if (each == word) return true;
  }
  return false;
}

// mountinfo writes a space in a path as \040 (and tab, newline, backslash likewise).
std::string unescape_octal(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size()) {
      auto const digits = text.substr(i + 1, 3);
      if (digits.find_first_not_of("01234567") == std::string_view::npos) {
        out += static_cast<char>(std::strtol(std::string(digits).c_str(), nullptr, 8));
        i += 3;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

std::string read_file(fs::path const& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool write_file(fs::path const& file, std::string_view value) {
  // O_CREAT for nothing in a cgroup file system (its files are there or cannot be made), but
  // a fake tree of folders in the tests gets the files written
  int const fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  bool const done = ::write(fd, value.data(), value.size()) == static_cast<ssize_t>(value.size());
  ::close(fd);
  return done;
}

// The folder of `path` (a cgroup) in the hierarchy mounted at `mount`.
std::optional<fs::path> folder_in(CgroupMount const& mount, std::string const& path) {
  if (mount.root == "/") return mount.mount_point / fs::path(path).relative_path();
  if (path != mount.root && !path.starts_with(mount.root + "/")) return std::nullopt;
  return mount.mount_point / fs::path(path.substr(mount.root.size())).relative_path();
}

std::optional<long long> number_after(std::string_view text, std::string_view key) {
  for (auto const& line : text::split_lines(text)) {
    std::string_view view = line;
    if (view.starts_with(key) && view.size() > key.size() && view[key.size()] == ' ') {
      return std::atoll(line.c_str() + key.size() + 1);
    }
  }
  return std::nullopt;
}

std::optional<long long> number_in(fs::path const& file) {
  std::error_code error;
  if (!fs::exists(file, error)) return std::nullopt;
  auto const text = read_file(file);
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text.front()))) return std::nullopt;
  return std::atoll(text.c_str());
}

// ---- What the interrupt handler removes: fixed slots of plain characters, because a signal
// handler may neither allocate nor take a lock. A group's folders go before its tree's.

constexpr std::size_t max_folders = 3;
constexpr std::size_t max_path = 512;
struct CleanupSlot {
  std::atomic<int> state{0};  // 0 free, 1 being filled, 2 a group, 3 a tree
  std::array<std::array<char, max_path>, max_folders> folders{};
  std::size_t count = 0;
};
std::array<CleanupSlot, 24> cleanup_slots;

void sleep_ms(long ms) {
  timespec pause{0, ms * 1'000'000};
  ::nanosleep(&pause, nullptr);
}

// Kills every process listed in `folder`/cgroup.procs; true when there was none.
bool kill_listed(char const* folder) {
  char file[max_path + 16];
  std::size_t length = 0;
  for (; folder[length] != '\0' && length < max_path; ++length) file[length] = folder[length];
  for (char const* tail = "/cgroup.procs"; *tail != '\0'; ++tail) file[length++] = *tail;
  file[length] = '\0';
  int const fd = ::open(file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return true;
  bool empty = true;
  char buffer[4096];
  long pid = 0;
  bool in_number = false;
  for (;;) {
    auto const n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; ++i) {
      if (buffer[i] >= '0' && buffer[i] <= '9') {
        pid = pid * 10 + (buffer[i] - '0');
        in_number = true;
      } else if (in_number) {
        ::kill(static_cast<pid_t>(pid), SIGKILL);
        empty = false;
        pid = 0;
        in_number = false;
      }
    }
  }
  if (in_number) {
    ::kill(static_cast<pid_t>(pid), SIGKILL);
    empty = false;
  }
  ::close(fd);
  return empty;
}

// Empties and removes `count` folders: kills what is in them until rmdir succeeds, for up to
// about two seconds (a killed process leaves its cgroup when it has exited).
void empty_and_remove(char const (*folders)[max_path], std::size_t count) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    bool all_gone = true;
    for (std::size_t i = 0; i < count; ++i) {
      // EBUSY: processes are still in it; any other failure will not pass by waiting
      if (::rmdir(folders[i]) == 0 || errno != EBUSY) continue;
      all_gone = false;
      kill_listed(folders[i]);
    }
    if (all_gone) return;
    sleep_ms(20);
  }
}

void cleanup_on_interrupt() noexcept {
  for (int kind : {2, 3}) {
    for (auto& slot : cleanup_slots) {
      if (slot.state.load() != kind) continue;
      char folders[max_folders][max_path];
      for (std::size_t i = 0; i < slot.count; ++i) {
        std::memcpy(folders[i], slot.folders[i].data(), max_path);
      }
      empty_and_remove(folders, slot.count);
    }
  }
}

int take_cleanup_slot(std::vector<fs::path> const& folders, int kind) {
  static std::atomic<bool> registered{false};
  if (!registered.exchange(true)) run::add_interrupt_cleanup(&cleanup_on_interrupt);
  for (std::size_t i = 0; i < cleanup_slots.size(); ++i) {
    auto& slot = cleanup_slots[i];
    int expected = 0;
    if (!slot.state.compare_exchange_strong(expected, 1)) continue;
    slot.count = 0;
    for (auto const& folder : folders) {
      auto const text = folder.string();
      if (text.size() >= max_path || slot.count == max_folders) continue;
      std::memcpy(slot.folders[slot.count].data(), text.c_str(), text.size() + 1);
      ++slot.count;
    }
    slot.state.store(kind);
    return static_cast<int>(i);
  }
  return -1;  // all taken: the destructor still removes it
}

void release_cleanup_slot(int slot) {
  if (slot >= 0) cleanup_slots[static_cast<std::size_t>(slot)].state.store(0);
}

void remove_folders(std::vector<fs::path> const& folders) {
  char copies[max_folders][max_path];
  std::size_t count = 0;
  for (auto const& folder : folders) {
    auto const text = folder.string();
    if (text.size() >= max_path || count == max_folders) continue;
    std::memcpy(copies[count++], text.c_str(), text.size() + 1);
  }
  empty_and_remove(copies, count);
}

// Removes wb-grade-<pid> folders (and their children) whose workbook is gone.
void remove_stale(fs::path const& parent) {
  std::error_code error;
  for (auto const& entry : fs::directory_iterator(parent, error)) {
    auto const name = entry.path().filename().string();
    if (!name.starts_with("wb-grade-") || !entry.is_directory(error)) continue;
    auto const pid = static_cast<pid_t>(std::atol(name.c_str() + 9));
    bool const gone = pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH;
    if (!gone) continue;
    std::vector<fs::path> children;
    for (auto const& child : fs::directory_iterator(entry.path(), error)) {
      if (child.is_directory(error)) children.push_back(child.path());
    }
    for (auto const& child : children) remove_folders({child});
    remove_folders({entry.path()});
  }
}

}  // namespace

std::vector<CgroupMembership> parse_proc_cgroup(std::string_view text) {
  std::vector<CgroupMembership> out;
  for (auto const& line : text::split_lines(text)) {
    auto const first = line.find(':');
    auto const second = line.find(':', first == std::string::npos ? first : first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    CgroupMembership membership;
    membership.hierarchy = std::atoi(line.substr(0, first).c_str());
    auto const list = line.substr(first + 1, second - first - 1);
    if (!list.empty()) membership.controllers = split(list, ',');
    membership.path = line.substr(second + 1);
    out.push_back(std::move(membership));
  }
  return out;
}

std::vector<CgroupMount> parse_cgroup_mounts(std::string_view mountinfo) {
  std::vector<CgroupMount> out;
  for (auto const& line : text::split_lines(mountinfo)) {
    // ID parent major:minor root mount-point options [optional…] - type source super-options
    auto const dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    auto const before = split(std::string_view(line).substr(0, dash), ' ');
    auto const after = split(std::string_view(line).substr(dash + 3), ' ');
    if (before.size() < 5 || after.size() < 3) continue;
    CgroupMount mount;
    if (after[0] == "cgroup2") {
      mount.v2 = true;
    } else if (after[0] != "cgroup") {
      continue;
    }
    mount.root = unescape_octal(before[3]);
    mount.mount_point = unescape_octal(before[4]);
    if (!mount.v2) {
      for (auto const& option : split(after[2], ',')) {
        if (option != "rw" && option != "ro") mount.controllers.push_back(option);
      }
    }
    out.push_back(std::move(mount));
  }
  return out;
}

CgroupPlaces find_cgroups(std::string_view proc_cgroup, std::string_view mountinfo) {
  auto const memberships = parse_proc_cgroup(proc_cgroup);
  auto const mounts = parse_cgroup_mounts(mountinfo);
  CgroupPlaces places;
  std::string why_not_v2 = "no cgroup v2 hierarchy";
  // v2: the unified hierarchy, when this process's cgroup hands memory and pids on.
  for (auto const& membership : memberships) {
    if (membership.hierarchy != 0 || !membership.controllers.empty()) continue;
    for (auto const& mount : mounts) {
      if (!mount.v2) continue;
      auto const folder = folder_in(mount, membership.path);
      if (!folder) continue;
      auto const handed_on = split(text::trim(read_file(*folder / "cgroup.subtree_control")), ' ');
      if (!has(handed_on, "memory") || !has(handed_on, "pids")) {
        why_not_v2 = fmt::format(
            "cgroup v2 at {} does not hand memory and pids on to its children "
            "(cgroup.subtree_control)",
            folder->string());
        continue;
      }
      if (::access(folder->c_str(), W_OK) != 0) {
        why_not_v2 = fmt::format("cgroup v2 at {} is not writable", folder->string());
        continue;
      }
      places.version = CgroupVersion::v2;
      places.memory = places.pids = *folder;
      if (has(handed_on, "cpu")) places.cpu = *folder;
      return places;
    }
  }
  // v1: one hierarchy per controller (cpu often shares one with cpuacct).
  auto folder_of = [&](std::string_view controller) -> std::optional<fs::path> {
    for (auto const& membership : memberships) {
      if (!has(membership.controllers, controller)) continue;
      for (auto const& mount : mounts) {
        if (mount.v2 || !has(mount.controllers, controller)) continue;
        auto const folder = folder_in(mount, membership.path);
        std::error_code error;
        if (folder && fs::is_directory(*folder, error) && ::access(folder->c_str(), W_OK) == 0) {
          return folder;
        }
      }
    }
    return std::nullopt;
  };
  auto const memory = folder_of("memory");
  auto const pids = folder_of("pids");
  if (!memory || !pids) {
    places.why_not = fmt::format("{}; cgroup v1: no writable {} hierarchy", why_not_v2,
                                 !memory ? (!pids ? "memory or pids" : "memory") : "pids");
    return places;
  }
  places.version = CgroupVersion::v1;
  places.memory = *memory;
  places.pids = *pids;
  if (auto const cpu = folder_of("cpu")) places.cpu = *cpu;
  return places;
}

CgroupPlaces detect_cgroups() {
  return find_cgroups(read_file("/proc/self/cgroup"), read_file("/proc/self/mountinfo"));
}

std::shared_ptr<CgroupTree> CgroupTree::make(CgroupPlaces const& places, std::string& why_not) {
  if (places.version == CgroupVersion::none) {
    why_not = places.why_not;
    return nullptr;
  }
  std::shared_ptr<CgroupTree> tree(new CgroupTree(places));
  auto const name = fmt::format("wb-grade-{}", ::getpid());
  std::vector<fs::path> parents = {places.memory};
  if (places.version == CgroupVersion::v1) {
    parents.push_back(places.pids);
    if (!places.cpu.empty()) parents.push_back(places.cpu);
  }
  for (auto const& parent : parents) {
    remove_stale(parent);
    auto const folder = parent / name;
    if (::mkdir(folder.c_str(), 0755) != 0 && errno != EEXIST) {
      why_not =
          fmt::format("could not make the cgroup {}: {}", folder.string(), std::strerror(errno));
      remove_folders(tree->folders_);
      tree->folders_.clear();
      return nullptr;
    }
    tree->folders_.push_back(folder);
  }
  if (places.version == CgroupVersion::v2) {
    // The run's cgroup holds no process, so it may hand the controllers on to the steps'.
    std::string const wanted = places.cpu.empty() ? "+memory +pids" : "+memory +pids +cpu";
    if (!write_file(tree->folders_[0] / "cgroup.subtree_control", wanted)) {
      why_not = fmt::format("could not enable memory and pids in {}: {}",
                            tree->folders_[0].string(), std::strerror(errno));
      remove_folders(tree->folders_);
      tree->folders_.clear();
      return nullptr;
    }
  }
  tree->cleanup_slot_ = take_cleanup_slot(tree->folders_, 3);
  return tree;
}

void CgroupTree::set_workers(int workers) const {
  if (places_.cpu.empty()) return;
  workers = std::clamp(workers, 1, 64);
  if (places_.version == CgroupVersion::v2) {
    write_file(folders_.front() / "cpu.weight", std::to_string(100 * workers));
  } else {
    write_file(folders_.back() / "cpu.shares", std::to_string(1024 * workers));
  }
}

CgroupTree::~CgroupTree() {
  remove_folders(folders_);
  release_cleanup_slot(cleanup_slot_);
}

std::unique_ptr<CgroupTree::Group> CgroupTree::group(std::string const& name,
                                                     CgroupLimits const& limits,
                                                     std::string& error) const {
  std::unique_ptr<Group> group(new Group());
  group->version_ = places_.version;
  group->limit_mb_ = limits.memory_mb;
  for (auto const& parent : folders_) {
    auto const folder = parent / name;
    if (::mkdir(folder.c_str(), 0755) != 0) {
      if (errno != EEXIST) {
        error =
            fmt::format("could not make the cgroup {}: {}", folder.string(), std::strerror(errno));
        return nullptr;
      }
      remove_folders({folder});  // left by an earlier step that was stopped halfway: anew
      if (::mkdir(folder.c_str(), 0755) != 0) {
        error =
            fmt::format("could not make the cgroup {}: {}", folder.string(), std::strerror(errno));
        return nullptr;
      }
    }
    group->folders_.push_back(folder);
  }
  group->memory_folder_ = group->folders_.front();
  group->cleanup_slot_ = take_cleanup_slot(group->folders_, 2);

  auto const bytes = std::to_string(limits.memory_mb << 20);
  auto set = [&](fs::path const& folder, char const* file, std::string const& value,
                 bool required) {
    std::error_code ignored;
    if (!required && !fs::exists(folder / file, ignored)) return true;
    if (write_file(folder / file, value)) return true;
    error = fmt::format("could not write {} to {}: {}", value, (folder / file).string(),
                        std::strerror(errno));
    return false;
  };
  auto const quota = std::to_string(100'000 * std::max(1, limits.cpus));
  bool ok = true;
  if (places_.version == CgroupVersion::v2) {
    auto const& folder = group->folders_.front();
    ok = set(folder, "memory.max", bytes, true) && set(folder, "memory.swap.max", "0", false) &&
         set(folder, "memory.oom.group", "1", false) &&
         set(folder, "pids.max", std::to_string(limits.processes), true) &&
         (places_.cpu.empty() || set(folder, "cpu.max", quota + " 100000", false));
  } else {
    auto const& memory = group->folders_[0];
    auto const& pids = group->folders_[1];
    // memsw (memory and swap together) only after memory: it may never be below it
    ok = set(memory, "memory.limit_in_bytes", bytes, true) &&
         set(memory, "memory.memsw.limit_in_bytes", bytes, false) &&
         set(pids, "pids.max", std::to_string(limits.processes), true);
    if (ok && group->folders_.size() > 2) {
      auto const& cpu = group->folders_[2];
      ok = set(cpu, "cpu.cfs_period_us", "100000", false) &&
           set(cpu, "cpu.cfs_quota_us", quota, false);
    }
  }
  if (!ok) return nullptr;  // the group's destructor removes it
  return group;
}

CgroupTree::Group::~Group() {
  remove_folders(folders_);
  release_cleanup_slot(cleanup_slot_);
}

std::vector<std::string> CgroupTree::Group::procs_files() const {
  std::vector<std::string> files;
  for (auto const& folder : folders_) files.push_back((folder / "cgroup.procs").string());
  return files;
}

void CgroupTree::Group::kill_all() const {
  for (int attempt = 0; attempt < 100; ++attempt) {
    bool empty = true;
    for (auto const& folder : folders_) empty = kill_listed(folder.c_str()) && empty;
    if (empty) return;
    sleep_ms(10);
  }
}

CgroupMemory CgroupTree::Group::memory() const {
  CgroupMemory memory;
  if (version_ == CgroupVersion::v2) {
    auto const events = read_file(memory_folder_ / "memory.events");
    memory.oom_kills = static_cast<int>(number_after(events, "oom_kill").value_or(0));
    auto const max_events = number_after(events, "max").value_or(0);
    memory.limit_hit = memory.oom_kills > 0 || number_after(events, "oom").value_or(0) > 0;
    auto const peak = number_in(memory_folder_ / "memory.peak");
    memory.peak_mb =
        peak ? static_cast<std::size_t>(*peak >> 20) : (max_events > 0 ? limit_mb_ : 0);
  } else {
    auto const control = read_file(memory_folder_ / "memory.oom_control");
    memory.oom_kills = static_cast<int>(number_after(control, "oom_kill").value_or(0));
    auto const failures = number_in(memory_folder_ / "memory.failcnt").value_or(0);
    // Without the oom_kill line (kernels before 4.13) a failed charge is the one sign.
    memory.limit_hit = memory.oom_kills > 0 || (!number_after(control, "oom_kill") && failures > 0);
    auto const peak = number_in(memory_folder_ / "memory.max_usage_in_bytes");
    if (peak) memory.peak_mb = static_cast<std::size_t>(*peak >> 20);
  }
  return memory;
}

}  // namespace wb::grade
