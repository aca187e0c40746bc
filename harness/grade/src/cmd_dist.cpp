// `workbook dist student|gradescope|classroom [--out DIR] [--tarball]` (for instructors):
//   student     the course as learners get it: no solutions/, no mutants (each is the solution
//               with one mistake, so one diff away from it), no grading fixtures (one is a correct
//               answer), no grading library, no instructor's test suite or CI, no progress, no
//               build trees, and the learner's README (harness/grade/student/README.md). Book pages
//               that {{#include}} a solution show only the lines they include: those lines go to
//               book/src/solution-snippets/, every other line blanked (so line numbers still
//               match), and the bundle's book is built to prove it. --tarball packs it too.
//   gradescope  an autograder: the course (as for students) with setup.sh, which installs and
//               builds it, and run_autograder, which grades /autograder/submission into
//               /autograder/results/results.json with `workbook grade --format gradescope`.
//   classroom   the student bundle with a GitHub Classroom workflow and autograding.json that run
//               `scripts/workbook check chNN` for each chapter, worth the chapter's points.
#include <fmt/core.h>

#include <cctype>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "wb/cli/commands.hpp"
#include "wb/course/files.hpp"
#include "wb/grade/commands.hpp"
#include "wb/run/process.hpp"
#include "wb/text/text.hpp"

namespace wb::grade {
using namespace wb::cli;   // the session, the book command and the exit codes
using namespace wb::run;   // processes
using namespace wb::text;  // text helpers
namespace fs = std::filesystem;

namespace {

void write_text(fs::path const& file, std::string const& text, bool executable = false) {
  course::write_file(file, text);
  if (executable) {
    fs::permissions(file, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                    fs::perm_options::add);
  }
}

// What never leaves the instructor's hands.
bool held_back(fs::path const& relative) {
  auto const text = relative.generic_string();
  for (std::string_view prefix : {"solutions/", "harness/tests/mutants/", "harness/tests/grade/",
                                  "build/", ".workbook/", ".git/", "node_modules/"}) {
    if (text.starts_with(prefix)) return true;
  }
  return false;
}

// The course's files: what git tracks or would (untracked but not ignored), else every file
// outside build trees.
std::vector<fs::path> course_files(fs::path const& root) {
  std::vector<fs::path> files;
  auto const listed = run_command(
      {"git", "-C", root.string(), "ls-files", "--cached", "--others", "--exclude-standard"}, {},
      64u << 20);
  if (listed.success()) {
    for (auto const& line : split_lines(listed.output)) {
      if (!line.empty()) files.emplace_back(line);
    }
  } else {
    std::error_code error;
    for (fs::recursive_directory_iterator it(root, error), end; !error && it != end;
         it.increment(error)) {
      auto const relative = it->path().lexically_relative(root);
      if (it->is_directory() && held_back(relative.generic_string() + "/")) {
        it.disable_recursion_pending();
      } else if (it->is_regular_file()) {
        files.push_back(relative);
      }
    }
  }
  std::vector<fs::path> kept;
  for (auto const& file : files) {
    if (!held_back(file) && fs::is_regular_file(root / file)) kept.push_back(file);
  }
  return kept;
}

struct SolutionInclude {
  std::string path;  // as written, "../../solutions/ch03-how-poll-works/block_on.hpp"
  std::string rest;  // ":anchor", ":10:20" or ""
};

// Lines of `text` (0-based) an include with `rest` shows, following mdBook's rules: an anchor's
// lines between "ANCHOR: name" and "ANCHOR_END: name", a line range, or the whole file.
std::set<std::size_t> shown_lines(std::vector<std::string> const& lines, std::string const& rest) {
  std::set<std::size_t> shown;
  if (rest.empty()) {
    for (std::size_t i = 0; i < lines.size(); ++i) shown.insert(i);
    return shown;
  }
  auto const spec = rest.substr(1);
  if (!spec.empty() && (std::isdigit(static_cast<unsigned char>(spec[0])) || spec[0] == ':')) {
    auto const colon = spec.find(':');
    std::size_t first = colon == 0 ? 1 : std::stoul(spec.substr(0, colon));
    std::size_t last = lines.size();
    if (colon != std::string::npos && colon + 1 < spec.size())
      last = std::stoul(spec.substr(colon + 1));
    if (colon == std::string::npos) last = first;
    for (auto i = first; i <= last && i <= lines.size(); ++i) shown.insert(i - 1);
    return shown;
  }
  bool inside = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (contains(lines[i], "ANCHOR: " + spec)) inside = true;
    if (inside) shown.insert(i);
    if (contains(lines[i], "ANCHOR_END: " + spec)) inside = false;
  }
  return shown;
}

// Book pages that include solution files get their own copy of just the lines they show.
// Returns the number of snippet files written.
int cut_solution_snippets(fs::path const& root, fs::path const& bundle) {
  std::regex const include(R"(\{\{#include\s+([^}:\s]*solutions/[^}:\s]+)((?::[^}\s]*)?)\s*\}\})");
  std::map<fs::path, std::set<std::size_t>> wanted;  // solution file → lines shown
  std::error_code error;
  auto const pages_dir = bundle / "book" / "src";
  for (auto const& entry : fs::recursive_directory_iterator(pages_dir, error)) {
    if (entry.path().extension() != ".md") continue;
    auto page = course::read_text_file(entry.path());
    std::string rewritten;
    auto begin = page.cbegin();
    for (std::sregex_iterator it(page.begin(), page.end(), include), end; it != end; ++it) {
      auto const& match = *it;
      auto const target = fs::weakly_canonical(
          (root / "book" / "src" / entry.path().lexically_relative(pages_dir)).parent_path() /
          match[1].str());
      auto const in_solutions = target.lexically_relative(root / "solutions");
      if (in_solutions.empty() || *in_solutions.begin() == "..") continue;
      auto const lines = split_lines(course::read_text_file(target));
      auto shown = shown_lines(lines, match[2].str());
      wanted[in_solutions].insert(shown.begin(), shown.end());
      auto const snippet = bundle / "book" / "src" / "solution-snippets" / in_solutions;
      rewritten.append(begin, match[0].first);
      rewritten += fmt::format(
          "{{{{#include {}{}}}}}",
          snippet.lexically_relative(entry.path().parent_path()).generic_string(), match[2].str());
      begin = match[0].second;
    }
    if (begin != page.cbegin()) {
      rewritten.append(begin, page.cend());
      write_text(entry.path(), rewritten);
    }
  }
  for (auto const& [file, shown] : wanted) {
    auto const lines = split_lines(course::read_text_file(root / "solutions" / file));
    std::string text;
    for (std::size_t i = 0; i < lines.size(); ++i)
      text += (shown.contains(i) ? lines[i] : "") + "\n";
    write_text(bundle / "book" / "src" / "solution-snippets" / file, text);
  }
  return static_cast<int>(wanted.size());
}

// What an autograder needs and a learner does not: the grading library, the instructor's test
// suite (which verifies solutions the bundle leaves out) and CI. A student bundle leaves them
// out too, and its README is the learner's (harness/grade/student/README.md).
bool instructor_only(fs::path const& relative) {
  auto const text = relative.generic_string();
  for (std::string_view prefix : {"harness/grade/", ".ci/", "scripts/test"}) {
    if (text.starts_with(prefix)) return true;
  }
  return false;
}

enum class Audience { students, autograder };

bool copy_course(Session const& session, fs::path const& out, Audience audience) {
  std::error_code error;
  fs::remove_all(out, error);
  fs::create_directories(out, error);
  auto files = course_files(session.paths.root);
  if (audience == Audience::students) {
    std::erase_if(files, [](fs::path const& file) { return instructor_only(file); });
  }
  for (auto const& file : files) {
    fs::create_directories((out / file).parent_path(), error);
    fs::copy_file(session.paths.root / file, out / file, fs::copy_options::overwrite_existing,
                  error);
    if (error) {
      session.error(fmt::format("could not copy {}: {}", file.string(), error.message()));
      return false;
    }
  }
  if (audience == Audience::students) {
    auto const readme = session.paths.root / "harness" / "grade" / "student" / "README.md";
    fs::copy_file(readme, out / "README.md", fs::copy_options::overwrite_existing, error);
    if (error) {
      session.error(fmt::format("could not copy {}: {}", readme.string(), error.message()));
      return false;
    }
  }
  int const snippets = cut_solution_snippets(session.paths.root, out);
  fmt::print("{} files{}\n", files.size(),
             snippets > 0
                 ? fmt::format(", {} solution files cut down to what the book shows", snippets)
                 : "");
  return true;
}

// Builds the bundle's book where nothing else is written, proving every include resolves.
bool bundle_book_builds(Session const& session, fs::path const& bundle) {
  Session copy = session;
  copy.paths.root = bundle;
  copy.chapters = course::find_chapters(bundle / "chapters");
  BookOptions book;
  book.action = "build";
  book.out = (session.paths.build_dir / "dist" / "book-check").string();
  fmt::print("building the bundle's book to check it…\n");
  int const status = run_book(copy, book);
  std::error_code error;
  fs::remove_all(book.out, error);
  return status == exit_ok;
}

std::string upper(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

std::string gradescope_setup() {
  return R"(#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder's image: install what the
# workbook needs, build the workbook program, and configure and build the grading tree (by
# grading the stubs once), so that grading a submission compiles only the learner's code.
set -euo pipefail
cd /autograder/source/workbook
apt-get update
scripts/setup
scripts/workbook list >/dev/null
scripts/workbook grade chapters -q >/dev/null || true
)";
}

std::string gradescope_run() {
  return R"(#!/usr/bin/env bash
# Gradescope runs this for each submission: grade /autograder/submission in the sandbox and write
# the results where Gradescope reads them.
set -uo pipefail
cd /autograder/source/workbook
mkdir -p /autograder/results
scripts/workbook grade /autograder/submission --format gradescope \
  --out /autograder/results/results.json -q
status=$?
if [[ ! -s /autograder/results/results.json ]]; then
  echo '{"score": 0, "output": "The autograder could not grade this submission (workbook grade exited with '"$status"').", "tests": []}' \
    >/autograder/results/results.json
fi
)";
}

}  // namespace

int run_dist(Session const& session, DistOptions const& options) {
  auto const out = options.out.empty() ? session.paths.build_dir / "dist" / options.what
                                       : fs::absolute(options.out);
  if (options.what == "student" || options.what == "classroom") {
    fmt::print("writing the student bundle to {}\n", out.string());
    if (!copy_course(session, out, Audience::students)) return exit_usage;
    if (options.what == "classroom") {
      nlohmann::json tests = nlohmann::json::array();
      std::string steps;
      std::string reporter_env;
      std::string runners;
      for (auto const& chapter : session.chapters) {
        auto manifest = session.load(chapter);
        if (!manifest) return exit_usage;
        auto const minutes =
            std::max<long>(10, manifest->time_limit.count() * 3 / 60 + 5);  // build included
        tests.push_back({{"name", fmt::format("{} {}", manifest->id, manifest->title)},
                         {"setup", "sudo scripts/setup"},
                         {"run", fmt::format("scripts/workbook check {}", manifest->id)},
                         {"input", ""},
                         {"output", ""},
                         {"comparison", "included"},
                         {"timeout", minutes},
                         {"points", manifest->total_points()}});
        steps += fmt::format(
            "      - name: {4}\n"
            "        id: {0}\n"
            "        uses: classroom-resources/autograding-command-grader@v1\n"
            "        with:\n"
            "          test-name: {0}\n"
            "          setup-command: sudo scripts/setup\n"
            "          command: scripts/workbook check {0}\n"
            "          timeout: {2}\n"
            "          max-score: {3}\n",
            manifest->id, manifest->title, minutes, manifest->total_points(),
            nlohmann::json(manifest->id + " " + manifest->title).dump());  // YAML-safe quoting
        reporter_env += fmt::format("          {}_RESULTS: \"${{{{steps.{}.outputs.result}}}}\"\n",
                                    upper(manifest->id), manifest->id);
        runners += (runners.empty() ? "" : ",") + manifest->id;
      }
      write_text(out / ".github" / "classroom" / "autograding.json",
                 nlohmann::json{{"tests", tests}}.dump(2) + "\n");
      write_text(out / ".github" / "workflows" / "classroom.yml",
                 "# GitHub Classroom: each chapter's `workbook check`, worth its points.\n"
                 "name: Autograding Tests\n"
                 "on: [push, workflow_dispatch]\n"
                 "permissions:\n  checks: write\n  actions: read\n  contents: read\n"
                 "jobs:\n  run-autograding-tests:\n    runs-on: ubuntu-latest\n"
                 "    if: github.actor != 'github-classroom[bot]'\n"
                 "    steps:\n      - name: Checkout code\n        uses: actions/checkout@v4\n" +
                     steps +
                     "      - name: Autograding Reporter\n"
                     "        uses: classroom-resources/autograding-grading-reporter@v1\n"
                     "        env:\n" +
                     reporter_env + "        with:\n          runners: " + runners + "\n");
      fmt::print(
          "GitHub Classroom: .github/workflows/classroom.yml and "
          ".github/classroom/autograding.json\n");
    }
    if (!bundle_book_builds(session, out)) {
      session.error("the bundle's book does not build (see above)");
      return exit_failed;
    }
    if (options.tarball) {
      auto const tarball = out.parent_path() / (out.filename().string() + ".tar.gz");
      auto packed = run_command({"tar", "-czf", tarball.string(), "-C", out.parent_path().string(),
                                 out.filename().string()});
      if (!packed.success()) {
        session.error("tar failed: " + packed.output);
        return exit_failed;
      }
      fmt::print("packed as {}\n", tarball.string());
    }
    return exit_ok;
  }

  // gradescope
  fmt::print("writing the Gradescope autograder to {}\n", out.string());
  std::error_code error;
  fs::remove_all(out, error);
  if (!copy_course(session, out / "workbook", Audience::autograder)) return exit_usage;
  write_text(out / "setup.sh", gradescope_setup(), true);
  write_text(out / "run_autograder", gradescope_run(), true);
  auto const zip = out.parent_path() / (out.filename().string() + ".zip");
  fs::remove(zip, error);
  auto zipped = run_command({"zip", "-q", "-r", zip.string(), "."}, out);
  if (zipped.success()) {
    fmt::print("upload {} as the autograder (setup.sh and run_autograder at its top)\n",
               zip.string());
  } else {
    session.warning("zip is not installed: zip the folder's contents yourself");
  }
  return exit_ok;
}

}  // namespace wb::grade
