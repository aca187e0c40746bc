#include "wb/grade/submission.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/core.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <set>
#include <system_error>
#include <utility>

#include "wb/text/text.hpp"

namespace wb::grade {
using namespace wb::run;   // processes
using namespace wb::text;  // text helpers
namespace fs = std::filesystem;

std::string const* SubmissionFiles::find(std::string const& slug, std::string const& file) const {
  auto chapter = files.find(slug);
  if (chapter == files.end()) return nullptr;
  auto found = chapter->second.find(file);
  return found == chapter->second.end() ? nullptr : &found->second;
}

namespace {

constexpr std::string_view archive_suffixes[] = {".tar.gz", ".tgz", ".tar", ".zip"};

bool is_archive(fs::path const& path) {
  auto const name = path.filename().string();
  return std::any_of(std::begin(archive_suffixes), std::end(archive_suffixes),
                     [&](std::string_view suffix) { return name.ends_with(suffix); });
}

// Folders whose files are never a learner's answer, even when a learner packed the whole
// repository: the reference solutions, the harness's mutants, build trees, git's store.
bool in_ignored_folder(fs::path const& relative) {
  for (auto const& part : relative) {
    auto const name = part.string();
    if (name == "solutions" || name == "mutants" || name == "build" || name == ".git" ||
        name == "node_modules") {
      return true;
    }
  }
  return false;
}

// How well `relative` names the wanted file: 3 chapters/<slug>/<file>, 2 <slug>/<file>, 1 a
// file name unique in the course, 0 not at all.
int match_rank(fs::path const& relative, WantedFile const& wanted, bool name_is_unique) {
  std::vector<std::string> parts;
  for (auto const& part : relative) parts.push_back(part.string());
  auto const n = parts.size();
  if (n == 0 || parts[n - 1] != wanted.file) return 0;
  if (n >= 3 && parts[n - 2] == wanted.slug && parts[n - 3] == "chapters") return 3;
  if (n >= 2 && parts[n - 2] == wanted.slug) return 2;
  return name_is_unique ? 1 : 0;
}

// A file descriptor closed when it goes out of scope.
struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int descriptor) : fd(descriptor) {}
  Fd(Fd&& other) noexcept : fd(std::exchange(other.fd, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    std::swap(fd, other.fd);
    return *this;
  }
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// The problem in words when a file of a submission cannot be opened beneath its folder.
std::string open_problem(int error) {
  switch (error) {
    case ELOOP:
      return "is reached through a link (a link put in the way, perhaps while it was graded)";
    case EXDEV:
      return "leads out of the submission";
    case ENOENT:
      return "is no longer there";
    default:
      return fmt::format("cannot be opened ({})", std::strerror(error));
  }
}

// A path that cannot lead out of the folder it is relative to: not empty, not absolute, no "..".
bool stays_beneath(fs::path const& relative) {
  if (relative.empty() || relative.is_absolute()) return false;
  for (auto const& part : relative) {
    if (part == ".." || part == "/" || part.empty()) return false;
  }
  return true;
}

}  // namespace

int open_beneath(int dir, fs::path const& relative, int flags, std::string& problem) {
  if (!stays_beneath(relative)) {
    problem = "leads out of the submission";
    return -1;
  }
  open_how how{};
  how.flags = static_cast<std::uint64_t>(flags | O_NOFOLLOW | O_CLOEXEC);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  auto const fd = ::syscall(SYS_openat2, dir, relative.c_str(), &how, sizeof how);
  if (fd >= 0) return static_cast<int>(fd);
  if (errno != ENOSYS && errno != EPERM) {  // EPERM: a seccomp filter that does not know it
    problem = open_problem(errno);
    return -1;
  }
  return open_beneath_step_by_step(dir, relative, flags, problem);
}

int open_beneath_step_by_step(int dir, fs::path const& relative, int flags, std::string& problem) {
  if (!stays_beneath(relative)) {
    problem = "leads out of the submission";
    return -1;
  }
  // Kernels before 5.6: one component at a time, none of them followed if it is a link (a link
  // opened with O_PATH | O_NOFOLLOW is the link itself, and O_DIRECTORY then refuses it).
  Fd current(::dup(dir));
  auto const last = std::prev(relative.end());
  for (auto part = relative.begin(); part != last; ++part) {
    Fd next(::openat(current.fd, part->c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (next.fd < 0) {
      problem = open_problem(errno == ENOTDIR ? ELOOP : errno);
      return -1;
    }
    current = std::move(next);
  }
  int const opened = ::openat(current.fd, last->c_str(), flags | O_NOFOLLOW | O_CLOEXEC);
  if (opened < 0) problem = open_problem(errno);
  return opened;
}

std::optional<std::string> read_file_beneath(int dir, fs::path const& relative,
                                             std::string& problem) {
  // O_PATH first: nothing is opened for reading (a device's driver is not called, a FIFO is not
  // waited on) until fstat has shown a plain file.
  Fd path(open_beneath(dir, relative, O_PATH, problem));
  if (path.fd < 0) return std::nullopt;
  struct stat info {};
  if (::fstat(path.fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    problem = "is not a regular file";
    return std::nullopt;
  }
  if (info.st_nlink > 1) {
    problem = "is a hard link (it may be another file's content)";
    return std::nullopt;
  }
  if (static_cast<std::size_t>(info.st_size) > max_submitted_file_bytes) {
    problem = fmt::format("is {} bytes, more than the {} a learner's file may have", info.st_size,
                          max_submitted_file_bytes);
    return std::nullopt;
  }
  // The very file fstat saw, opened for reading through its descriptor; without /proc, opened
  // again beneath the folder and required to be the same file.
  Fd file(::open(fmt::format("/proc/self/fd/{}", path.fd).c_str(),
                 O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (file.fd < 0) {
    file = Fd(open_beneath(dir, relative, O_RDONLY | O_NONBLOCK | O_NOCTTY, problem));
    if (file.fd < 0) return std::nullopt;
  }
  struct stat opened {};
  if (::fstat(file.fd, &opened) != 0 || opened.st_dev != info.st_dev ||
      opened.st_ino != info.st_ino || !S_ISREG(opened.st_mode)) {
    problem = "was replaced while it was read";
    return std::nullopt;
  }
  std::string text(static_cast<std::size_t>(info.st_size), '\0');
  std::size_t got = 0;
  while (got < text.size()) {
    auto const n = ::read(file.fd, text.data() + got, text.size() - got);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  text.resize(got);
  return text;
}

namespace {

// Unpacks the entries of `archive` that could be wanted files into `into`, with bsdtar in the
// sandbox (it sees the archive and `into`, nothing else). Returns an error, or empty.
// The archive reaches bsdtar as its standard input, opened here: the sandbox needs no view of
// the instructor's folder of submissions.
std::string unpack(fs::path const& archive, std::vector<WantedFile> const& wanted,
                   fs::path const& into, SandboxSetup const& sandbox, int worker) {
  auto const bsdtar = find_in_path("bsdtar");
  if (!bsdtar) return "bsdtar is not installed (Debian: apt-get install libarchive-tools)";
  auto open_archive = [&] { return Fd(::open(archive.c_str(), O_RDONLY | O_CLOEXEC)); };

  // First the list of entries: one that leaves the submission rejects the whole archive.
  SandboxRequest request;
  request.mounts = {{into, true}};
  request.cwd = into;
  request.worker = worker;
  request.limits.memory_mb = 1024;
  request.limits.file_size_mb = 16;
  request.limits.cpu_seconds = 60;
  SpawnOptions list;
  list.argv = sandbox_launcher(sandbox, request);
  list.argv.insert(list.argv.end(), {bsdtar->string(), "-tf", "-"});
  list.env = sandbox_environment(request);
  list.clear_env = true;
  list.cwd = into;
  list.own_process_group = true;
  list.new_session = true;
  list.wall_limit = std::chrono::seconds(90);  // the CPU limit and more: a busy machine
  // Listing and unpacking in a cgroup (where there are cgroups): their limits hold for all of
  // bsdtar's processes together; it goes, with anything left in it, when this returns.
  std::unique_ptr<CgroupTree::Group> group;
  if (sandbox.cgroups) {
    CgroupLimits limits;
    limits.memory_mb = request.limits.memory_mb;
    limits.processes = request.limits.processes + 4;
    std::string error;
    group = sandbox.cgroups->group(fmt::format("w{}", worker), limits, error);
    if (!group) return "the archive could not be unpacked: " + error;
    list.join_cgroups = group->procs_files();
  }
  auto listed_from = open_archive();
  if (listed_from.fd < 0) return "the archive cannot be opened";
  list.stdin_fd = listed_from.fd;
  auto listing = run_command(list, max_archive_listing_bytes + 1);
  if (listing.timed_out) return "listing the archive took more than 90 s, and was stopped";
  if (listing.output.size() > max_archive_listing_bytes) {
    // Checking part of the list would let an entry past the cut leave the submission.
    return fmt::format(
        "its list of entries is longer than {} MB, so it could not be checked whole: a "
        "submission needs far fewer files (pack only the chapters folder)",
        max_archive_listing_bytes >> 20);
  }
  if (!listing.success()) {
    return fmt::format("it is not an archive bsdtar can read: {}",
                       std::string(trim(split_lines(listing.output).empty()
                                            ? describe(listing.status)
                                            : split_lines(listing.output).front())));
  }
  for (auto const& entry : split_lines(listing.output)) {
    if (leaves_submission(entry)) {
      return fmt::format("the archive holds \"{}\", a path that leaves the submission", entry);
    }
  }

  std::set<std::string> names;
  for (auto const& file : wanted) names.insert(file.file);
  SpawnOptions extract = list;
  extract.argv = sandbox_launcher(sandbox, request);
  extract.argv.insert(extract.argv.end(), {bsdtar->string(), "-xf", "-", "-C", into.string(),
                                           "--no-same-owner", "--no-same-permissions"});
  for (auto const& name : names) {  // only what could be a learner's file is unpacked
    extract.argv.push_back(name);
    extract.argv.push_back("*/" + name);
  }
  auto extracted_from = open_archive();
  extract.stdin_fd = extracted_from.fd;
  auto extracted = run_command(extract, 1u << 20);
  if (extracted.timed_out) return "unpacking the archive took more than 90 s, and was stopped";
  if (!extracted.success()) {
    // bsdtar also fails when a pattern matches nothing, which is no problem here
    for (auto const& line : split_lines(extracted.output)) {
      if (trim(line).empty() || contains(line, "Not found in archive") ||
          contains(line, "Error exit delayed")) {
        continue;
      }
      return fmt::format("unpacking it failed: {}", line.substr(0, 300));
    }
  }
  return {};
}

}  // namespace

bool leaves_submission(std::string_view entry) {
  if (entry.starts_with("/")) return true;
  for (auto const& part : fs::path(entry)) {
    if (part == "..") return true;
  }
  return false;
}

std::string submission_name(fs::path const& path) {
  auto name = path.filename().string();
  if (name.empty()) name = path.parent_path().filename().string();  // "alice/"
  for (auto suffix : archive_suffixes) {
    if (name.ends_with(suffix)) {
      name.resize(name.size() - suffix.size());
      break;
    }
  }
  return name;
}

SubmissionFiles read_submission(fs::path const& path, std::vector<WantedFile> const& wanted,
                                fs::path const& scratch, SandboxSetup const& sandbox, int worker,
                                std::function<void()> const& after_listing) {
  SubmissionFiles out;
  out.name = submission_name(path);
  out.source = path;
  std::error_code error;
  auto const status = fs::symlink_status(path, error);
  fs::path root = path;
  if (error || !fs::exists(status)) {
    out.error = "there is no such file or folder";
    return out;
  }
  if (fs::is_symlink(status)) {
    root = fs::canonical(path, error);  // the instructor named it: a link to a folder is fine
    if (error) {
      out.error = "it is a link that leads nowhere";
      return out;
    }
  }
  if (fs::is_regular_file(root, error)) {
    if (!is_archive(root)) {
      out.error = "it is neither a folder nor a .tar.gz, .tgz, .tar or .zip archive";
      return out;
    }
    auto const into = scratch / "unpacked";
    fs::remove_all(into, error);
    fs::create_directories(into, error);
    ::chmod(into.c_str(), 0700);  // other workers' users must not read it
    give_to_worker(sandbox, worker, into);
    if (auto problem = unpack(root, wanted, into, sandbox, worker); !problem.empty()) {
      out.error = problem;
      return out;
    }
    root = into;
  } else if (!fs::is_directory(root, error)) {
    out.error = "it is neither a folder nor an archive";
    return out;
  }
  // The folder is held open from here on: whatever is swapped at its path, or under it, later is
  // not followed.
  Fd root_fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (root_fd.fd < 0) {
    out.error = "the folder cannot be opened (or it was replaced by a link)";
    return out;
  }

  std::map<std::string, int> name_count;  // how many chapters use each file name
  for (auto const& file : wanted) ++name_count[file.file];

  struct Candidate {
    fs::path relative;
    int rank = 0;
    bool link = false;
  };
  std::vector<std::vector<Candidate>> candidates(wanted.size());
  std::vector<std::string> ignored;
  std::size_t walked = 0;
  bool too_many = false;
  bool unreadable = false;
  // Depth first through descriptors: a folder is opened beneath its parent with O_NOFOLLOW, and
  // an entry's type is its own (fstatat without following), never what a link points at.
  auto walk = [&](auto& self, int dir, fs::path const& relative, int depth) -> void {
    Fd listing(::dup(dir));
    DIR* entries = listing.fd < 0 ? nullptr : ::fdopendir(listing.fd);
    if (entries == nullptr) {
      unreadable = true;
      return;
    }
    listing.fd = -1;  // closedir closes it
    while (dirent* entry = ::readdir(entries)) {
      std::string_view const name = entry->d_name;
      if (name == "." || name == "..") continue;
      if (++walked > 100'000) {
        too_many = true;
        break;
      }
      auto const path = relative / entry->d_name;
      struct stat info {};
      if (::fstatat(dir, entry->d_name, &info, AT_SYMLINK_NOFOLLOW) != 0) continue;
      if (S_ISDIR(info.st_mode)) {
        if (in_ignored_folder(path) || depth >= 64) continue;
        Fd sub(::openat(dir, entry->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (sub.fd < 0) {
          unreadable = true;
          continue;
        }
        self(self, sub.fd, path, depth + 1);
        if (too_many) break;
        continue;
      }
      bool matched = false;
      if (!in_ignored_folder(path)) {
        for (std::size_t i = 0; i < wanted.size(); ++i) {
          int const rank = match_rank(path, wanted[i], name_count[wanted[i].file] == 1);
          if (rank > 0) {
            candidates[i].push_back({path, rank, S_ISLNK(info.st_mode)});
            matched = true;
          }
        }
      }
      if (!matched) ignored.push_back(path.generic_string());
    }
    ::closedir(entries);
  };
  walk(walk, root_fd.fd, fs::path(), 0);
  if (too_many) out.notes.push_back("more than 100000 files: the rest were not looked at");
  if (unreadable) out.notes.push_back("some of its folders could not be read");
  if (after_listing) after_listing();

  for (std::size_t i = 0; i < wanted.size(); ++i) {
    auto& found = candidates[i];
    if (found.empty()) continue;
    std::stable_sort(found.begin(), found.end(), [](Candidate const& a, Candidate const& b) {
      if (a.rank != b.rank) return a.rank > b.rank;
      auto const depth_a = std::distance(a.relative.begin(), a.relative.end());
      auto const depth_b = std::distance(b.relative.begin(), b.relative.end());
      if (depth_a != depth_b) return depth_a < depth_b;
      return a.relative < b.relative;  // readdir's order is the file system's: make it stable
    });
    auto const& best = found.front();
    auto const shown = best.relative.generic_string();
    if (found.size() > 1 && found[1].rank == best.rank) {
      out.notes.push_back(
          fmt::format("{} was found {} times; {} was graded", wanted[i].file, found.size(), shown));
    }
    if (best.link) {
      out.notes.push_back(fmt::format(
          "{} is a link, not a file: ignored (a submission's files must be its own)", shown));
      continue;
    }
    std::string problem;
    if (auto content = read_file_beneath(root_fd.fd, best.relative, problem)) {
      out.files[wanted[i].slug][wanted[i].file] = std::move(*content);
    } else {
      out.notes.push_back(fmt::format("{} {}: ignored", shown, problem));
    }
  }

  std::vector<std::string> tests;
  for (auto const& name : ignored) {
    if (name.ends_with("_test.cpp") || name.ends_with("chapter.toml")) tests.push_back(name);
  }
  if (!tests.empty()) {
    out.notes.push_back(fmt::format(
        "ignored {} (tests and manifests always come from the course, never a submission)",
        fmt::format("{}{}", tests.front(),
                    tests.size() > 1 ? fmt::format(" and {} more", tests.size() - 1) : "")));
  }
  return out;
}

}  // namespace wb::grade
