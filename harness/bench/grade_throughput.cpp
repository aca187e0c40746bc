// How fast `workbook grade` grades a class: N copies of the complete reference solution (every
// chapter), each with a comment of its own so that no copy shares a cache entry with another,
// graded from scratch with --jobs J, then graded again unchanged (every grade from the cache).
// Prints seconds per submission, where a submission's grading time went (unpack, compile,
// inspect, link, run tests: the "time" of grade's JSON report, summed over its exercises), the
// exercises slowest to compile, and the re-run's speed-up over the first run. The machine's load
// is printed too: on a shared machine it says how far the figures can be trusted.
// The anchor, measured in the same run: the same exercises' test files compiled by the compiler
// alone (the grading tree's own commands, no sandbox, no inspection, nothing linked or run), J at
// a time. No grading of a submission can take less; the ratio is what grading adds on top.
// Usage: wb_bench_grade [N=4] [J=2]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

fs::path const root = WB_SOURCE_DIR;

double timed(std::string const& command) {
  auto const start = Clock::now();
  if (std::system(command.c_str()) != 0) {
    std::fprintf(stderr, "failed: %s\n", command.c_str());
    std::exit(1);
  }
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string quoted(fs::path const& path) { return "'" + path.string() + "'"; }

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  double one = 0, five = 0, fifteen = 0;
  in >> one >> five >> fifteen;
  std::ostringstream text;
  text << one << " " << five << " " << fifteen;
  return text.str();
}

// The per-phase breakdown of grade's JSON report, averaged over its submissions, and its
// exercises slowest to compile.
void print_breakdown(fs::path const& report, int copies) {
  std::ifstream in(report);
  auto const book = nlohmann::json::parse(in);
  char const* phases[] = {"unpack", "compile", "inspect", "link", "run", "other", "total"};
  double sums[7] = {};
  std::vector<std::pair<double, std::string>> compiles;
  for (auto const& submission : book.at("submissions")) {
    for (int i = 0; i < 7; ++i) sums[i] += submission.at("time").value(phases[i], 0.0);
    for (auto const& chapter : submission.at("chapters")) {
      for (auto const& exercise : chapter.at("exercises")) {
        compiles.emplace_back(
            exercise.at("time").value("compile", 0.0),
            chapter.at("id").get<std::string>() + " " + exercise.at("exercise").get<std::string>());
      }
    }
  }
  std::printf("  where a submission's time went (its exercises' steps summed, averaged):\n");
  for (int i = 0; i < 7; ++i) {
    std::printf("    %-8s %7.1f s  %5.1f%%\n", phases[i], sums[i] / copies,
                sums[6] > 0 ? 100 * sums[i] / sums[6] : 0.0);
  }
  std::sort(compiles.rbegin(), compiles.rend());
  std::printf("  slowest compiles (of %zu):", compiles.size());
  for (std::size_t i = 0; i < compiles.size() && i < 5; ++i) {
    std::printf("%s %s %.1f s", i == 0 ? "" : ",", compiles[i].second.c_str(), compiles[i].first);
  }
  std::printf("\n");
}

// The grading tree's compile commands of the exercises graded in `report` (its test programs
// built from the course's stubs): "cd <dir> && <command>", each writing its object to `scratch`.
std::vector<std::string> exercise_compiles(fs::path const& report, fs::path const& tree,
                                           fs::path const& scratch) {
  std::ifstream in_report(report);
  auto const book = nlohmann::json::parse(in_report);
  std::vector<std::string> targets;
  for (auto const& chapter : book.at("submissions").at(0).at("chapters")) {
    for (auto const& exercise : chapter.at("exercises")) {
      // "ch08" and "store": the target ch08_store
      targets.push_back(chapter.at("id").get<std::string>() + "_" +
                        exercise.at("exercise").get<std::string>());
    }
  }
  std::ifstream in_commands(tree / "compile_commands.json");
  auto const commands = nlohmann::json::parse(in_commands);
  std::vector<std::string> found;
  for (auto const& target : targets) {
    for (auto const& entry : commands) {
      auto command = entry.at("command").get<std::string>();
      if (command.find("/CMakeFiles/" + target + ".dir/") == std::string::npos) continue;
      auto const output = command.find(" -o ");
      auto const end = command.find(' ', output + 4);
      if (output == std::string::npos || end == std::string::npos) continue;
      command.replace(output + 4, end - output - 4,
                      quoted(scratch / (target + "_" + std::to_string(found.size()) + ".o")));
      found.push_back("cd " + quoted(fs::path(entry.at("directory").get<std::string>())) + " && " +
                      command + " > /dev/null 2>&1");
    }
  }
  return found;
}

// Runs `commands`, `jobs` at a time; the seconds it took by the clock.
double run_in_parallel(std::vector<std::string> const& commands, int jobs) {
  std::mutex mutex;
  std::size_t next = 0;
  bool failed = false;
  auto const start = Clock::now();
  std::vector<std::thread> workers;
  for (int j = 0; j < jobs; ++j) {
    workers.emplace_back([&] {
      for (;;) {
        std::string command;
        {
          std::lock_guard lock(mutex);
          if (next == commands.size()) return;
          command = commands[next++];
        }
        if (std::system(command.c_str()) != 0) {
          std::lock_guard lock(mutex);
          failed = true;
        }
      }
    });
  }
  for (auto& worker : workers) worker.join();
  if (failed) std::fprintf(stderr, "a compile of the anchor failed\n");
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  int const copies = argc > 1 ? std::atoi(argv[1]) : 4;
  int const jobs = argc > 2 ? std::atoi(argv[2]) : 2;
  char pattern[] = "/tmp/wb-bench-grade-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) return 1;
  fs::path const tmp = pattern;

  int files = 0;
  for (int i = 0; i < copies; ++i) {
    for (auto const& entry : fs::recursive_directory_iterator(root / "solutions")) {
      if (!entry.is_regular_file()) continue;
      auto const target = tmp / ("student-" + std::to_string(i)) / "chapters" /
                          entry.path().lexically_relative(root / "solutions");
      fs::create_directories(target.parent_path());
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf() << "\n// submitted by student " << i << "\n";
      std::ofstream(target) << text.str();
      files += i == 0 ? 1 : 0;
    }
  }
  std::string const workbook = "WB_ROOT=" + quoted(root) + " " + quoted(WB_WORKBOOK) + " grade";
  std::string submissions;
  for (int i = 0; i < copies; ++i)
    submissions += " " + quoted(tmp / ("student-" + std::to_string(i)));

  // Not timed: the grading tree is configured and built the first time only.
  std::printf("preparing the grading tree (first time only)…\n");
  std::fflush(stdout);
  timed(workbook + " " + quoted(root / "chapters") + " -q > /dev/null");

  // two formats: --out is a folder, with gradebook.csv and grades.json in it
  auto const options = " --jobs " + std::to_string(jobs) + " -q --format csv --format json --out ";
  std::string const load_before = load_average();
  double const fresh =
      timed(workbook + submissions + options + quoted(tmp / "fresh") + " --no-cache");
  std::string const load_after = load_average();
  double const cached = timed(workbook + submissions + options + quoted(tmp / "cached"));

  std::ifstream fresh_csv(tmp / "fresh" / "gradebook.csv");
  std::string line;
  int full_marks = 0;
  std::getline(fresh_csv, line);  // the header
  while (std::getline(fresh_csv, line)) full_marks += line.find(",100.0,") != std::string::npos;

  std::printf("%d submissions of the complete solution (%d files each), --jobs %d\n", copies, files,
              jobs);
  std::printf("  graded from scratch: %6.1f s   %5.1f s per submission   (%d of %d full marks)\n",
              fresh, fresh / copies, full_marks, copies);
  print_breakdown(tmp / "fresh" / "grades.json", copies);
  std::printf("  re-run, unchanged:   %6.1f s   %5.2f s per submission   %.0fx faster\n", cached,
              cached / copies, fresh / cached);
  auto const compiles =
      exercise_compiles(tmp / "fresh" / "grades.json",
                        fs::path(WB_WORKBOOK).parent_path() / "grading-tree", tmp / "anchor");
  fs::create_directories(tmp / "anchor");
  if (compiles.empty()) {
    std::fprintf(stderr, "no compile commands of the graded exercises in the grading tree\n");
    return 1;
  }
  double const anchor = run_in_parallel(compiles, jobs);
  std::printf(
      "  anchor: its %zu test files compiled alone (the compiler, the grading tree's flags), %d "
      "at a time: %.1f s\n"
      "  grading a submission takes %.2fx the compiles it cannot do without\n",
      compiles.size(), jobs, anchor, fresh / copies / anchor);
  std::printf("  load average (1, 5, 15 min) before grading: %s, after: %s, on %u cores\n",
              load_before.c_str(), load_after.c_str(), std::thread::hardware_concurrency());
  fs::remove_all(tmp);
  return full_marks == copies ? 0 : 1;
}
