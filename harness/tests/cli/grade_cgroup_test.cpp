// Tests of the grader's cgroups without the kernel's: reading /proc/self/cgroup and mountinfo,
// telling v1 from v2 on a fake tree of folders, the limits written for a step, the memory
// counters read back; and a child that joins its cgroups before it execs.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <wb/grade/cgroup.hpp>
#include <wb/grade/sandbox.hpp>
#include <wb/run/process.hpp>
#include <wb/testing/catch.hpp>

namespace {

namespace fs = std::filesystem;
using wb::grade::CgroupVersion;

struct FakeTree {
  fs::path path;
  FakeTree() {
    char pattern[] = "/tmp/wb-cgroup-test-XXXXXX";
    path = ::mkdtemp(pattern);
  }
  ~FakeTree() {
    std::error_code error;
    fs::remove_all(path, error);
  }
  void write(fs::path const& file, std::string const& text) const {
    fs::create_directories((path / file).parent_path());
    std::ofstream(path / file) << text;
  }
};

std::string read(fs::path const& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A mountinfo line for a cgroup file system mounted at `point`.
std::string mount_line(fs::path const& point, std::string const& type, std::string const& options,
                       std::string const& root = "/") {
  return "31 23 0:28 " + root + " " + point.string() + " rw,relatime - " + type + " " + type + " " +
         options + "\n";
}

}  // namespace

TEST_CASE("proc self cgroup lines give each hierarchy its controllers and path") {
  auto const lines = wb::grade::parse_proc_cgroup(
      "9:name=systemd:/\n8:pids:/\n4:memory:/process_api/f309\n2:cpu,cpuacct:/a\n0::/user.slice\n");
  REQUIRE(lines.size() == 5);
  CHECK(lines[2].hierarchy == 4);
  CHECK(lines[2].controllers == std::vector<std::string>{"memory"});
  CHECK(lines[2].path == "/process_api/f309");
  CHECK(lines[3].controllers == std::vector<std::string>{"cpu", "cpuacct"});
  CHECK(lines[4].hierarchy == 0);
  CHECK(lines[4].controllers.empty());
  CHECK(lines[4].path == "/user.slice");
}

TEST_CASE("mountinfo gives the cgroup mounts with their controllers and escaped paths") {
  auto const mounts = wb::grade::parse_cgroup_mounts(
      "23 1 0:21 / /proc rw - proc proc rw\n" +
      mount_line("/sys/fs/cgroup/memory", "cgroup", "rw,memory") +
      mount_line("/sys/fs/cgroup/cpu,cpuacct", "cgroup", "rw,cpu,cpuacct") +
      mount_line("/sys/fs/my\\040cgroups", "cgroup2", "rw,nsdelegate", "/container"));
  REQUIRE(mounts.size() == 3);
  CHECK(mounts[0].mount_point == "/sys/fs/cgroup/memory");
  CHECK(mounts[0].controllers == std::vector<std::string>{"memory"});
  CHECK_FALSE(mounts[0].v2);
  CHECK(mounts[1].controllers == std::vector<std::string>{"cpu", "cpuacct"});
  CHECK(mounts[2].v2);
  CHECK(mounts[2].mount_point == "/sys/fs/my cgroups");
  CHECK(mounts[2].root == "/container");
}

TEST_CASE("a v1 tree with writable memory and pids hierarchies is used as v1") {
  FakeTree tree;
  for (auto const* controller : {"memory", "pids", "cpu"}) {
    fs::create_directories(tree.path / controller / "jobs/42");
  }
  auto const mounts = mount_line(tree.path / "memory", "cgroup", "rw,memory") +
                      mount_line(tree.path / "pids", "cgroup", "rw,pids") +
                      mount_line(tree.path / "cpu", "cgroup", "rw,cpu,cpuacct");
  auto const places = wb::grade::find_cgroups(
      "5:pids:/jobs/42\n4:memory:/jobs/42\n2:cpu,cpuacct:/jobs/42\n0::/\n", mounts);
  CHECK(places.version == CgroupVersion::v1);
  CHECK(places.memory == tree.path / "memory/jobs/42");
  CHECK(places.pids == tree.path / "pids/jobs/42");
  CHECK(places.cpu == tree.path / "cpu/jobs/42");
}

TEST_CASE("a v1 tree without a pids hierarchy is not used and says why") {
  FakeTree tree;
  fs::create_directories(tree.path / "memory/jobs");
  auto const places = wb::grade::find_cgroups(
      "4:memory:/jobs\n", mount_line(tree.path / "memory", "cgroup", "rw,memory"));
  CHECK(places.version == CgroupVersion::none);
  CHECK_THAT(places.why_not, Catch::Matchers::ContainsSubstring("no writable pids hierarchy"));
}

TEST_CASE("a v2 tree is used when its cgroup hands memory and pids on to children") {
  FakeTree tree;
  tree.write("unified/box/cgroup.subtree_control", "cpu memory pids\n");
  auto const places = wb::grade::find_cgroups(
      "0::/box\n", mount_line(tree.path / "unified", "cgroup2", "rw,nsdelegate"));
  CHECK(places.version == CgroupVersion::v2);
  CHECK(places.memory == tree.path / "unified/box");
  CHECK(places.pids == places.memory);
  CHECK(places.cpu == places.memory);
}

TEST_CASE("a v2 tree whose cgroup keeps memory to itself falls back to v1 or none") {
  FakeTree tree;
  tree.write("unified/box/cgroup.subtree_control", "cpu\n");
  auto const places = wb::grade::find_cgroups(
      "0::/box\n", mount_line(tree.path / "unified", "cgroup2", "rw,nsdelegate"));
  CHECK(places.version == CgroupVersion::none);
  CHECK_THAT(places.why_not, Catch::Matchers::ContainsSubstring("cgroup.subtree_control"));
}

TEST_CASE("a step group on a v1 tree gets its memory and pids limits written") {
  FakeTree tree;
  wb::grade::CgroupPlaces places;
  places.version = CgroupVersion::v1;
  for (auto const* controller : {"memory", "pids", "cpu"}) {
    fs::create_directories(tree.path / controller);
  }
  places.memory = tree.path / "memory";
  places.pids = tree.path / "pids";
  places.cpu = tree.path / "cpu";
  std::string why_not;
  auto const run = wb::grade::CgroupTree::make(places, why_not);
  REQUIRE(run != nullptr);
  auto const own = "wb-grade-" + std::to_string(::getpid());
  CHECK(fs::is_directory(tree.path / "memory" / own));
  wb::grade::CgroupLimits limits;
  limits.memory_mb = 256;
  limits.processes = 10;
  std::string error;
  auto const group = run->group("w0", limits, error);
  REQUIRE(group != nullptr);
  auto const memory = tree.path / "memory" / own / "w0";
  CHECK(read(memory / "memory.limit_in_bytes") == "268435456");
  CHECK(read(tree.path / "pids" / own / "w0/pids.max") == "10");
  CHECK(group->procs_files().size() == 3);
  CHECK(group->procs_files().front() == (memory / "cgroup.procs").string());

  // what the kernel would count after a child of the step was killed for memory
  std::ofstream(memory / "memory.oom_control") << "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n";
  std::ofstream(memory / "memory.failcnt") << "37\n";
  std::ofstream(memory / "memory.max_usage_in_bytes") << "268435456\n";
  auto const used = group->memory();
  CHECK(used.limit_hit);
  CHECK(used.oom_kills == 2);
  CHECK(used.peak_mb == 256);
}

TEST_CASE("a child that joins cgroups writes itself into each before it runs") {
  FakeTree tree;
  tree.write("a/cgroup.procs", "");
  tree.write("b/cgroup.procs", "");
  wb::run::SpawnOptions options;
  options.argv = {"sh", "-c", "exit 3"};
  options.join_cgroups = {(tree.path / "a/cgroup.procs").string(),
                          (tree.path / "b/cgroup.procs").string()};
  options.own_process_group = true;
  auto const child = wb::run::spawn(options);
  REQUIRE(child.pid > 0);
  auto const status = wb::run::wait_for(child.pid);
  CHECK(status.value == 3);
  CHECK(read(tree.path / "a/cgroup.procs") == "0");
  CHECK(read(tree.path / "b/cgroup.procs") == "0");
}

TEST_CASE("a child that cannot join its cgroup does not run") {
  FakeTree tree;
  wb::run::SpawnOptions options;
  options.argv = {"sh", "-c", "touch ran"};
  options.cwd = tree.path;
  options.join_cgroups = {(tree.path / "missing/cgroup.procs").string()};
  auto const child = wb::run::spawn(options);
  CHECK(child.pid == -1);
  CHECK_THAT(child.error, Catch::Matchers::ContainsSubstring("could not join its cgroup"));
  CHECK_FALSE(fs::exists(tree.path / "ran"));
}

TEST_CASE("output of a child started into cgroups reaches run_command") {
  FakeTree tree;
  tree.write("a/cgroup.procs", "");
  wb::run::SpawnOptions options;
  options.argv = {"sh", "-c", "echo hello; pwd"};
  options.cwd = tree.path;
  options.join_cgroups = {(tree.path / "a/cgroup.procs").string()};
  options.own_process_group = true;
  options.new_session = true;
  auto const result = wb::run::run_command(options);
  CHECK(result.success());
  CHECK(result.output == "hello\n" + tree.path.string() + "\n");
}

TEST_CASE("the sandbox description says when cgroups and the scratch tmpfs are missing") {
  wb::grade::SandboxSetup setup;
  setup.bubblewrap = true;
  setup.why_no_cgroups = "cgroup v1: no writable memory hierarchy";
  setup.why_no_scratch_tmpfs = "not root: mount(2) is refused";
  auto const text = setup.describe();
  CHECK_THAT(text, Catch::Matchers::ContainsSubstring(
                       "NO CGROUPS (cgroup v1: no writable memory hierarchy): memory is limited "
                       "per process only"));
  CHECK_THAT(text, Catch::Matchers::ContainsSubstring(
                       "on this machine's disk with no quota (not root: mount(2) is refused)"));
  CHECK_THAT(text, Catch::Matchers::ContainsSubstring("the sandbox's root is read-only"));
}

TEST_CASE("a real step group stops a process that goes past its memory") {
  std::string why_not;
  auto const run = wb::grade::CgroupTree::make(wb::grade::detect_cgroups(), why_not);
  if (!run) {
    WARN("no cgroups here: " << why_not);
    return;
  }
  wb::grade::CgroupLimits limits;
  limits.memory_mb = 64;
  limits.processes = 16;
  std::string error;
  auto const group = run->group("unit-test", limits, error);
  REQUIRE(group != nullptr);
  // tail keeps the last 150 MB of a pipe in memory
  wb::run::SpawnOptions options;
  options.argv = {"sh", "-c", "head -c 150000000 /dev/zero | tail -c 150000000 > /dev/null"};
  options.join_cgroups = group->procs_files();
  options.own_process_group = true;
  auto const result = wb::run::run_command(options);
  group->kill_all();
  auto const memory = group->memory();
  CHECK_FALSE(result.success());
  CHECK(memory.limit_hit);
  CHECK(memory.peak_mb <= 64);
}
