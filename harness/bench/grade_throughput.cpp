// How fast `workbook grade` grades a class: N copies of the complete reference solution (every
// chapter), each with a comment of its own so that no copy shares a cache entry with another,
// graded from scratch with --jobs J, then graded again unchanged (every grade from the cache).
// Prints seconds per submission and the re-run's speed-up over the first run.
// Usage: wb_bench_grade [N=4] [J=2]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

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

  auto const options = " --jobs " + std::to_string(jobs) + " -q --format csv --out ";
  double const fresh =
      timed(workbook + submissions + options + quoted(tmp / "fresh.csv") + " --no-cache");
  double const cached = timed(workbook + submissions + options + quoted(tmp / "cached.csv"));

  std::ifstream fresh_csv(tmp / "fresh.csv");
  std::string line;
  int full_marks = 0;
  std::getline(fresh_csv, line);  // the header
  while (std::getline(fresh_csv, line)) full_marks += line.find(",100.0,") != std::string::npos;

  std::printf("%d submissions of the complete solution (%d files each), --jobs %d\n", copies, files,
              jobs);
  std::printf("  graded from scratch: %6.1f s   %5.1f s per submission   (%d of %d full marks)\n",
              fresh, fresh / copies, full_marks, copies);
  std::printf("  re-run, unchanged:   %6.1f s   %5.2f s per submission   %.0fx faster\n", cached,
              cached / copies, fresh / cached);
  fs::remove_all(tmp);
  return full_marks == copies ? 0 : 1;
}
