#include "wb/grade/pristine_chapters.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <set>
#include <system_error>

#include "wb/cli/pristine.hpp"
#include "wb/course/files.hpp"
#include "wb/grade/sha256.hpp"
#include "wb/run/process.hpp"
#include "wb/text/text.hpp"

namespace wb::grade {
using namespace wb::run;   // processes
using namespace wb::text;  // text helpers
namespace fs = std::filesystem;

namespace {

// "a, b, c and 4 more"
std::string some_of(std::vector<std::string> const& items) {
  std::string text;
  for (std::size_t i = 0; i < items.size() && i < 3; ++i) {
    text += (i == 0 ? "" : ", ") + items[i];
  }
  if (items.size() > 3) text += fmt::format(" and {} more", items.size() - 3);
  return text;
}

bool is_git_checkout(fs::path const& root) {
  if (!find_in_path("git")) return false;
  auto const inside = run_command({"git", "-C", root.string(), "rev-parse", "--show-prefix"});
  // the course's own checkout, not a folder that happens to sit inside another repository
  return inside.success() && trim(inside.output).empty();
}

// Replaces every occurrence of `from` at the start of a path inside `word` by `to`.
std::string reaimed(std::string word, std::string const& from, std::string const& to) {
  for (auto at = word.find(from); at != std::string::npos; at = word.find(from, at + to.size())) {
    auto const end = at + from.size();
    if (end < word.size() && word[end] != '/' && word[end] != '"') continue;
    word.replace(at, from.size(), to);
  }
  return word;
}

}  // namespace

PristineChapters pristine_chapters(fs::path const& root,
                                   std::vector<course::ChapterManifest> const& chapters,
                                   fs::path const& into) {
  PristineChapters out;
  std::map<std::string, std::string> files;  // relative to chapters/: content
  std::error_code error;
  for (auto const& chapter : chapters) {
    for (fs::recursive_directory_iterator it(root / "chapters" / chapter.slug, error), end;
         !error && it != end; it.increment(error)) {
      if (!it->is_regular_file(error) || it->is_symlink(error)) continue;
      auto const relative = it->path().lexically_relative(root / "chapters").generic_string();
      files[relative] = course::read_text_file(it->path());
    }
  }

  out.from_git = is_git_checkout(root);
  if (!out.from_git) {
    out.dir = root / "chapters";
    out.warnings.push_back(
        "this course is not a git checkout, so the stubs cannot be taken from git: chapters/ is "
        "graded against as it is (a solved exercise there can be reached by a submission's "
        "#include_next, or used for a file it leaves out)");
  } else {
    std::vector<std::string> solved;
    std::vector<std::string> older;
    std::vector<std::string> missing;
    for (auto const& chapter : chapters) {
      for (auto const& exercise : chapter.exercises) {
        for (auto const& file : exercise.files) {
          auto const relative = chapter.slug + "/" + file;
          auto shown = run_command(
              {"git", "-C", root.string(), "show", "HEAD:chapters/" + relative}, {}, 4u << 20);
          std::string stub;
          if (shown.success() && contains(shown.output, "WB_TODO")) {
            stub = std::move(shown.output);
          } else if (auto version = cli::pristine_version(root, root / "chapters" / relative);
                     auto* found = std::get_if<cli::PristineVersion>(&version)) {
            stub = std::move(found->content);
            older.push_back(fmt::format("{} (from {})", relative, found->commit.substr(0, 10)));
          } else {
            missing.push_back(relative);
            continue;
          }
          auto& current = files[relative];
          if (current != stub) solved.push_back(relative);
          current = std::move(stub);
        }
      }
    }
    if (!solved.empty()) {
      out.warnings.push_back(
          fmt::format("chapters/ holds {} exercise file{} that differ{} from the stubs in git "
                      "({}): submissions are graded against the stubs from git, never these",
                      solved.size(), solved.size() == 1 ? "" : "s", solved.size() == 1 ? "s" : "",
                      some_of(solved)));
    }
    if (!older.empty()) {
      out.warnings.push_back(fmt::format(
          "git's latest version of {} has no WB_TODO left: the newest stub in its history is "
          "used",
          some_of(older)));
    }
    if (!missing.empty()) {
      out.warnings.push_back(
          fmt::format("no stub of {} was found in git: the file in chapters/ is used as it is",
                      some_of(missing)));
    }
    // The rest of chapters/ (tests, manifests) is used as it is: say when that is not git's.
    std::vector<std::string> status_command = {"git",    "-C",          root.string(),
                                               "status", "--porcelain", "--"};
    for (auto const& chapter : chapters) status_command.push_back("chapters/" + chapter.slug);
    std::vector<std::string> changed;
    for (auto const& line : split_lines(run_command(status_command).output)) {
      if (line.size() < 4) continue;
      auto const path = std::string(trim(line.substr(3)));
      auto const relative = path.starts_with("chapters/") ? path.substr(9) : path;
      bool is_stub = false;
      for (auto const& chapter : chapters) {
        for (auto const& exercise : chapter.exercises) {
          for (auto const& file : exercise.files) is_stub |= relative == chapter.slug + "/" + file;
        }
      }
      if (!is_stub) changed.push_back(relative);
    }
    if (!changed.empty()) {
      out.warnings.push_back(fmt::format(
          "chapters/ differs from git in {} other file{} ({}): they are used as they are in "
          "this tree",
          changed.size(), changed.size() == 1 ? "" : "s", some_of(changed)));
    }
  }

  Sha256 digest;
  for (auto const& [relative, content] : files) digest.field(relative).field(content);
  out.digest = digest.hex();
  if (!out.from_git) return out;

  // Written once per set of stubs, then found by its digest (and its time set to now: in use).
  // Copies of other stubs unused for a week are removed.
  auto const dir = into / out.digest.substr(0, 24);
  out.dir = dir / "chapters";
  auto const week_ago = fs::file_time_type::clock::now() - std::chrono::hours(24 * 7);
  for (auto const& old : fs::directory_iterator(into, error)) {
    if (old.path() != dir && old.last_write_time(error) < week_ago) fs::remove_all(old, error);
  }
  if (fs::exists(dir, error)) {
    fs::last_write_time(dir, fs::file_time_type::clock::now(), error);  // in use
    return out;
  }
  auto const staging = into / fmt::format("{}.{}.partial", out.digest.substr(0, 24), ::getpid());
  fs::remove_all(staging, error);
  for (auto const& [relative, content] : files) {
    course::write_file(staging / "chapters" / relative, content);
  }
  // readable by the sandbox's users, as the course's own chapters/ is
  for (auto const& entry : fs::recursive_directory_iterator(staging, error)) {
    fs::permissions(entry.path(), entry.is_directory(error) ? fs::perms(0755) : fs::perms(0644),
                    error);
  }
  fs::permissions(staging, fs::perms(0755), error);
  fs::rename(staging, dir, error);
  if (error) fs::remove_all(staging, error);  // another run made it first
  return out;
}

void use_pristine_chapters(GradingTree& tree, PristineChapters const& pristine) {
  std::set<fs::path> replaced;
  for (auto& [target, commands] : tree.exercises) {
    auto const from = commands.chapter_dir.parent_path();  // the chapters folder the tree names
    if (from == pristine.dir) continue;
    replaced.insert(from);
    for (auto& word : commands.compile) {
      word = reaimed(word, from.string(), pristine.dir.string());
    }
    commands.test_file = pristine.dir / commands.test_file.lexically_relative(from);
    commands.chapter_dir = pristine.dir / commands.chapter_dir.lexically_relative(from);
  }
  std::erase_if(tree.shared_paths, [&](fs::path const& path) { return replaced.contains(path); });
  if (!replaced.empty()) tree.shared_paths.push_back(pristine.dir);
  Sha256 fingerprint;
  tree.fingerprint = fingerprint.field(tree.fingerprint).field(pristine.digest).hex();
}

}  // namespace wb::grade
