// End to end: `workbook grade` over every hostile submission in fixtures/ (each a ch02
// countdown.hpp), a correct one, and three archives (a good .tar.gz, one whose entry climbs out
// with "..", a .zip whose countdown.hpp is a link to the reference solution), all in one run.
// Each must get its grade with the right reason, the correct ones full marks beside them, and
// nothing outside the sandbox may change: no file written, no connection made, no process,
// cgroup or scratch mount left. The limits are small (2 s per test, 8 s per submission, 512 MB)
// so that the hostile ones hit them fast.
// Submissions written to earn marks without an answer (a replaced signing function, redefined
// test macros, a specialised oracle, a memory scan for the key, an IFUNC resolver) must be flagged
// for review by the inspection of what was compiled, and honest ones must not be.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>
#include <wb/testing/catch.hpp>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path const root = WB_SOURCE_DIR;
fs::path const fixtures = root / "harness/tests/grade/fixtures";
constexpr int socket_port = 47613;  // what fixtures/opens-socket tries to reach

std::string quoted(fs::path const& path) { return "'" + path.string() + "'"; }

int shell(std::string const& command) { return std::system(command.c_str()); }

// Every file under `dir` with its size and time of change, to prove none was touched.
std::map<std::string, std::string> snapshot(fs::path const& dir) {
  std::map<std::string, std::string> files;
  std::error_code error;
  for (auto const& entry : fs::recursive_directory_iterator(dir, error)) {
    auto const status = fs::symlink_status(entry.path(), error);
    std::string stamp = std::to_string(static_cast<int>(status.type()));
    if (fs::is_regular_file(status)) {
      stamp += ":" + std::to_string(fs::file_size(entry.path(), error)) + ":" +
               std::to_string(fs::last_write_time(entry.path(), error).time_since_epoch().count());
    }
    files[entry.path().string()] = stamp;
  }
  return files;
}

// A server on the grading machine that a submission must not reach.
class Listener {
 public:
  Listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int const yes = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(socket_port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    listening_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                 ::listen(fd_, 16) == 0;
    if (listening_) thread_ = std::thread([this] { accept_loop(); });
  }
  ~Listener() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  bool listening() const { return listening_; }
  int connections() const { return connections_; }

 private:
  void accept_loop() {
    while (!stop_) {
      pollfd entry{fd_, POLLIN, 0};
      if (::poll(&entry, 1, 100) > 0) {
        int const client = ::accept(fd_, nullptr, nullptr);
        if (client >= 0) {
          ++connections_;
          ::close(client);
        }
      }
    }
  }
  int fd_ = -1;
  bool listening_ = false;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread thread_;
};

// Processes left running as the sandbox's users (uids from `first` to `first` + 8, when run as
// root; other grading runs on the machine have their own).
int sandbox_processes_left(long long first) {
  int count = 0;
  std::error_code error;
  for (auto const& entry : fs::directory_iterator("/proc", error)) {
    std::ifstream status(entry.path() / "status");
    for (std::string line; std::getline(status, line);) {
      if (line.starts_with("Uid:")) {
        auto const uid = std::atoll(line.c_str() + 4);
        if (uid >= first && uid < first + 8) ++count;
        break;
      }
    }
  }
  return count;
}

// cgroups (wb-grade-<pid> of a workbook that has ended) and scratch tmpfs mounts left behind.
std::vector<std::string> grading_leftovers() {
  std::vector<std::string> found;
  std::ifstream cgroups("/proc/self/cgroup");
  std::set<fs::path> folders;
  for (std::string line; std::getline(cgroups, line);) {
    auto const first = line.find(':');
    auto const second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    auto const controllers = line.substr(first + 1, second - first - 1);
    auto const path = fs::path(line.substr(second + 1)).relative_path();
    auto const controller = controllers.substr(0, controllers.find(','));
    if (controllers.empty()) {
      folders.insert(fs::path("/sys/fs/cgroup") / path);
      folders.insert(fs::path("/sys/fs/cgroup/unified") / path);
    } else {
      folders.insert(fs::path("/sys/fs/cgroup") / controller / path);
    }
  }
  std::error_code error;
  for (auto const& folder : folders) {
    for (auto const& entry : fs::directory_iterator(folder, error)) {
      auto const name = entry.path().filename().string();
      if (!name.starts_with("wb-grade-")) continue;
      auto const pid = static_cast<pid_t>(std::atol(name.c_str() + 9));
      if (pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH) found.push_back(entry.path());
    }
  }
  std::ifstream mounts("/proc/self/mountinfo");
  for (std::string line; std::getline(mounts, line);) {
    if (line.find(" wb-scratch ") != std::string::npos) found.push_back(line);
  }
  return found;
}

struct Graded {
  json submission;

  int points() const { return submission.at("points").get<int>(); }
  std::vector<json> tests() const {
    std::vector<json> out;
    for (auto const& chapter : submission.at("chapters")) {
      for (auto const& exercise : chapter.at("exercises")) {
        for (auto const& test : exercise.at("tests")) out.push_back(test);
      }
    }
    return out;
  }
  json exercise() const { return submission.at("chapters").at(0).at("exercises").at(0); }
  std::multiset<std::string> reasons() const {
    std::multiset<std::string> out;
    for (auto const& test : tests()) out.insert(test.at("reason").get<std::string>());
    return out;
  }
  bool only(std::set<std::string> const& allowed) const {
    for (auto const& reason : reasons()) {
      if (!allowed.contains(reason)) return false;
    }
    return true;
  }
  bool any_message_has(std::string const& text) const {
    for (auto const& test : tests()) {
      if (test.at("message").get<std::string>().find(text) != std::string::npos) return true;
    }
    return false;
  }
  std::string notes() const {
    std::string text;
    for (auto const& note : submission.at("notes")) text += note.get<std::string>() + "\n";
    auto const graded = exercise();
    for (auto const& note : graded.at("notes")) text += note.get<std::string>() + "\n";
    return text;
  }
};

}  // namespace

TEST_CASE("workbook grade gives every hostile submission its grade and changes nothing outside") {
  char pattern[] = "/tmp/wb-grade-e2e-XXXXXX";
  REQUIRE(::mkdtemp(pattern) != nullptr);
  fs::path const tmp = pattern;
  std::error_code error;

  // The archives: a good one, one that climbs out, one whose file is a link to the solution.
  fs::create_directories(tmp / "pack/alice/chapters/ch02-future-concept");
  fs::copy_file(fixtures / "correct/countdown.hpp",
                tmp / "pack/alice/chapters/ch02-future-concept/countdown.hpp");
  REQUIRE(shell("cd " + quoted(tmp / "pack") + " && bsdtar -czf ../correct-archive.tar.gz alice") ==
          0);
  REQUIRE(shell("cd " + quoted(tmp / "pack") +
                " && bsdtar -czf ../climbs-out.tar.gz -s ',^alice,../../escaped,' alice") == 0);
  fs::create_directories(tmp / "link/chapters/ch02-future-concept");
  fs::create_symlink(root / "solutions/ch02-future-concept/countdown.hpp",
                     tmp / "link/chapters/ch02-future-concept/countdown.hpp");
  REQUIRE(shell("cd " + quoted(tmp / "link") +
                " && zip -q -r --symlinks ../link-to-solution.zip chapters") == 0);

  for (auto const& stray :
       {fs::path("/tmp/wb-grade-escaped"), fs::path("/var/tmp/wb-grade-escaped")}) {
    fs::remove(stray, error);
  }
  // ch02's folders: what the fixtures aim at (other chapters may be edited while this runs)
  auto const before_chapters = snapshot(root / "chapters/ch02-future-concept");
  auto const before_solutions = snapshot(root / "solutions/ch02-future-concept");
  auto const before_fixtures = snapshot(root / "harness/tests/grade");

  std::vector<std::string> names;
  for (auto const& entry : fs::directory_iterator(fixtures)) {
    names.push_back(entry.path().filename().string());
  }
  std::string command = "WB_ROOT=" + quoted(root) + " " + quoted(WB_WORKBOOK) + " grade";
  for (auto const& name : names) command += " " + quoted(fixtures / name);
  for (auto const& archive :
       {"correct-archive.tar.gz", "climbs-out.tar.gz", "link-to-solution.zip"}) {
    command += " " + quoted(tmp / archive);
  }
  command += " --chapters ch02 --jobs 2 --time-limit 2 --submission-time 8 --memory 512";
  command += " --processes 64 --output-cap 1048576 --no-cache --no-build -q";
  command += " --build-tree " + quoted(WB_BUILD_DIR);
  command += " --format json --out " + quoted(tmp / "grades.json");
  command += " > " + quoted(tmp / "grade.log") + " 2>&1";

  auto const started = std::chrono::steady_clock::now();
  int status = 0;
  {
    Listener listener;
    status = shell(command);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    INFO("a submission connected to the grading machine");
    CHECK(listener.connections() == 0);
    if (!listener.listening())
      WARN("port " << socket_port << " was taken: the socket check is weaker");
  }
  auto const took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
  std::ifstream log_file(tmp / "grade.log");
  std::stringstream log;
  log << log_file.rdbuf();
  INFO("workbook grade said:\n" << log.str());
  // 1: some submission could not be read (the one that climbs out), which is right
  REQUIRE(WEXITSTATUS(status) == 1);
  WARN("grading " << names.size() + 3 << " submissions took " << took.count() << " s");

  std::ifstream json_file(tmp / "grades.json");
  auto const grades = json::parse(json_file);
  std::map<std::string, Graded> by_name;
  for (auto const& submission : grades.at("submissions")) {
    by_name[submission.at("name").get<std::string>()] = Graded{submission};
  }
  std::string summary;  // shown with any failure below
  for (auto const& [name, graded] : by_name) {
    summary += name + ": " + std::to_string(graded.points()) + " points;";
    for (auto const& test : graded.tests()) {
      summary += " " + test.at("reason").get<std::string>() + " (" +
                 test.at("message").get<std::string>().substr(0, 80) + ")";
    }
    summary += "\n";
  }
  INFO("the grades:\n" << summary);
  bool const sandboxed = grades.at("sandbox").get<std::string>().starts_with("bubblewrap");
  if (!sandboxed) WARN("no bubblewrap here: the sandbox's own claims are not tested");

  {  // the correct submissions get full marks beside the hostile ones
    CHECK(by_name.at("correct").points() == 10);
    CHECK(by_name.at("correct-archive").points() == 10);
    CHECK(by_name.at("writes-outside").points() == 10);  // it is correct; its writes went nowhere
    // correct, with bytes that are not UTF-8 printed after its last test: graded, cached and
    // written to the gradebook (as U+FFFD) instead of ending the batch
    CHECK(by_name.at("invalid-utf8-output").points() == 10);
  }
  {  // hangs, crashes and floods get nothing, each with its reason
    auto const& loop = by_name.at("infinite-loop");
    CHECK(loop.points() == 0);
    CHECK(loop.only({"timeout", "time budget"}));
    CHECK(loop.reasons().count("timeout") >= 1);

    auto const& bomb = by_name.at("fork-bomb");
    CHECK(bomb.points() == 0);
    CHECK(bomb.only({"timeout", "time budget", "crash", "exited early"}));

    auto const& memory = by_name.at("huge-allocation");
    CHECK(memory.points() == 0);
    CHECK(memory.only({"memory limit", "time budget"}));
    CHECK(memory.any_message_has("memory limit of 512 MB"));

    auto const& flood = by_name.at("output-flood");
    CHECK(flood.points() == 0);
    CHECK(flood.only({"output limit", "time budget"}));
    CHECK(flood.any_message_has("printed more than 1048576 bytes"));

    auto const& crash = by_name.at("segfault");
    CHECK(crash.points() == 0);
    CHECK(crash.only({"crash"}));
    // SIGSEGV, or UBSan's word for it in a sanitizer build
    CHECK((crash.any_message_has("SIGSEGV") || crash.any_message_has("null pointer")));
  }
  {  // a crash in the first test costs that test alone: the sandbox's exit code 128 + N is a
     // crash, not a clean exit that would leave every later test "did not run"
    auto const& first = by_name.at("crashes-in-first-test");
    CHECK(first.points() == 9);
    CHECK((first.any_message_has("SIGSEGV") || first.any_message_has("null pointer")));
  }
  {  // a compiler that blocks on a device is stopped (no device to block on in the sandbox;
     // a wall-clock limit outside it), and only that submission loses
    auto const& device = by_name.at("includes-a-device");
    CHECK(device.points() == 0);
    CHECK(device.only({"compile error"}));
    if (sandboxed) {
      CHECK(device.exercise().at("compile_error").get<std::string>().find("ptmx") !=
            std::string::npos);
    }
  }
  {  // limits on a submission's processes together and a size on every folder it writes to
    auto const sandbox = grades.at("sandbox").get<std::string>();
    bool const cgroups = sandbox.find("NO CGROUPS") == std::string::npos;
    auto const& spread = by_name.at("memory-across-processes");  // 4 children x 300 MB
    if (cgroups) {
      CHECK(spread.points() == 0);
      CHECK(spread.only({"memory limit", "time budget"}));
      CHECK(spread.any_message_has("MB across its processes"));
    } else {
      WARN("no cgroups here (" << sandbox << "): memory-across-processes got " << spread.points()
                               << " points");
    }
    if (sandboxed) {  // its root read-only, its /tmp and /dev sized: 65 MB of 768
      auto const& root = by_name.at("fills-root-with-memory");
      CHECK(root.points() == 0);
      CHECK(root.only({"failed", "memory limit", "time budget"}));
      CHECK(root.any_message_has(" MB of 768 MB"));
    }
    if (sandbox.find("is a tmpfs of a fixed size") != std::string::npos) {
      auto const& scratch = by_name.at("fills-scratch");  // 64 MB of 640
      CHECK(scratch.points() == 0);
      CHECK(scratch.only({"failed", "memory limit", "time budget"}));
      CHECK(scratch.any_message_has(" MB of 640 MB"));
    }
    INFO("cgroups or scratch mounts left behind");
    CHECK(grading_leftovers().empty());
  }
  {  // a future that never wakes loses the tests that wait for a wake-up
    auto const& lazy = by_name.at("never-wakes");
    CHECK(lazy.points() > 0);
    CHECK(lazy.points() < 10);
    CHECK(lazy.any_message_has("parking oracle"));
  }
  {  // leaving before the tests or forging their results earns nothing
    for (auto const* name : {"exit-in-static-init", "quick-exit-in-static-init", "forged-output"}) {
      INFO(name);
      auto const& early = by_name.at(name);
      CHECK(early.points() == 0);
      CHECK(early.only({"exited early"}));
      CHECK(early.any_message_has("exit code 0"));
    }
    CHECK(by_name.at("forged-output").notes().find("shaped like test results") !=
          std::string::npos);
    // It reads the key before main and signs its forgeries: the framework read the key first.
    auto const& thief = by_name.at("steals-the-key");
    CHECK(thief.points() == 0);
    CHECK(thief.only({"not started"}));
    CHECK(thief.notes().find("review countdown.hpp") != std::string::npos);
  }
  {  // what was compiled is inspected against the stub's build: each way of earning marks
     // without an answer is flagged for review, with its reason
    auto flagged = [&](std::string const& name, std::string const& reason) {
      auto const notes = by_name.at(name).notes();
      INFO(name << "'s notes:\n" << notes);
      CHECK(notes.find("review countdown.hpp (as compiled): " + reason) != std::string::npos);
    };
    // The signing functions defined in the header: a second definition of the framework's,
    // which grading links as an object, so it does not link.
    auto const& signing = by_name.at("defines-signing-functions");
    CHECK(signing.points() == 0);
    CHECK(signing.only({"compile error"}));
    auto const link_error = signing.exercise().at("compile_error").get<std::string>();
    INFO("the link error: " << link_error);
    CHECK((link_error.find("duplicate symbol") != std::string::npos ||
           link_error.find("multiple definition") != std::string::npos));
    CHECK(link_error.find("wb::testing::") != std::string::npos);
    CHECK(link_error.find("the test framework defines too") != std::string::npos);
    flagged("defines-signing-functions", "defines wb::testing::ResultKey::from_hex");
    // The same with the functions that format the reporter's lines (another library member).
    auto const& lines = by_name.at("defines-result-line-functions");
    CHECK(lines.points() == 0);
    CHECK(lines.only({"compile error"}));
    CHECK(lines.exercise().at("compile_error").get<std::string>().find("wb::testing::format_") !=
          std::string::npos);
    flagged("defines-result-line-functions", "defines wb::testing::format_end");
    flagged("redefines-test-macros", "redefines macros of the test framework");
    CHECK(by_name.at("redefines-test-macros").notes().find("CHECK, TEST_CASE") !=
          std::string::npos);
    flagged("specialises-the-oracle",
            "defines wb::oracle::Outcome<CountdownFuture::Output> "
            "wb::oracle::drive<CountdownFuture>");
    flagged("scans-memory-for-the-key", "refers to __bss_start, _end");
    flagged("early-resolver-reads-the-key", "defines early_probe as an indirect function (IFUNC)");
    flagged("early-resolver-reads-the-key", "uses inline assembly");
    flagged("steals-the-key", "adds 1 entry to .preinit_array");
    // No false flags: honest answers, right or wrong, are not flagged.
    for (auto const* name : {"correct", "correct-archive", "never-wakes", "crashes-in-first-test",
                             "segfault", "invalid-utf8-output"}) {
      INFO(name << " was flagged:\n" << by_name.at(name).notes());
      CHECK(by_name.at(name).notes().find("review") == std::string::npos);
    }
  }
  {  // #include_next of the exercise reaches the stub from git, whatever chapters/ holds (the
     // case of a solved chapters/ is grade-pristine-stubs)
    auto const& next = by_name.at("includes-next");
    CHECK(next.points() == 0);
    CHECK(next.only({"not started"}));
  }
  {  // only the learner's own files are taken from a submission
    auto const& edited = by_name.at("edited-test-file");
    CHECK(edited.points() == 0);
    CHECK(edited.only({"not started"}));
    CHECK(edited.notes().find("countdown_test.cpp") != std::string::npos);

    auto const& climbs = by_name.at("climbs-out");
    CHECK(climbs.submission.at("error").get<std::string>().find("leaves the submission") !=
          std::string::npos);

    auto const& link = by_name.at("link-to-solution");
    CHECK(link.points() == 0);
    CHECK(link.only({"not submitted"}));
    CHECK(link.notes().find("is a link") != std::string::npos);
  }
  if (sandboxed) {
    {  // the sandbox hides solutions, other submissions, /etc/shadow and the network
      auto const& include = by_name.at("includes-solution");
      CHECK(include.points() == 0);
      CHECK(include.only({"compile error"}));
      CHECK(include.exercise().at("compile_error").get<std::string>().find("solutions") !=
            std::string::npos);
      for (auto const* name : {"reads-etc-shadow", "reads-other-submission", "opens-socket"}) {
        INFO(name << " got points: it escaped the sandbox");
        CHECK(by_name.at(name).points() == 0);
        CHECK(by_name.at(name).only({"not started"}));
      }
    }
  }
  {  // nothing outside the sandbox changed
    CHECK_FALSE(fs::exists("/tmp/wb-grade-escaped"));
    CHECK_FALSE(fs::exists("/var/tmp/wb-grade-escaped"));
    if (char const* home = std::getenv("HOME")) {
      CHECK_FALSE(fs::exists(fs::path(home) / "wb-grade-escaped"));
    }
    CHECK(snapshot(root / "chapters/ch02-future-concept") == before_chapters);
    CHECK(snapshot(root / "solutions/ch02-future-concept") == before_solutions);
    for (auto const* folder : {"chapters", "solutions", "harness"}) {
      for (auto const& entry : fs::recursive_directory_iterator(root / folder, error)) {
        INFO(entry.path().string());
        CHECK(entry.path().filename() != "wb-grade-escaped");
      }
    }
    CHECK(snapshot(root / "harness/tests/grade") == before_fixtures);
    CHECK_FALSE(fs::exists(tmp.parent_path() / "escaped"));
    auto const sandbox = grades.at("sandbox").get<std::string>();
    auto const uids = sandbox.find("own user id (");
    if (::geteuid() == 0 && uids != std::string::npos) {
      auto const first = std::atoll(sandbox.c_str() + uids + 13);
      // a killed PID namespace takes a moment to be reaped
      auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      while (sandbox_processes_left(first) > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      CHECK(sandbox_processes_left(first) == 0);
    }
  }
  fs::remove_all(tmp, error);
}
