// Tests of finding a stub's pristine version in git, and of backing a file up.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <variant>
#include <wb/cli/pristine.hpp>
#include <wb/course/files.hpp>
#include <wb/run/process.hpp>
#include <wb/testing/catch.hpp>

namespace fs = std::filesystem;

namespace {

struct Repository {
  fs::path root = fs::temp_directory_path() / ("wb-pristine-test-" + std::to_string(::getpid()));

  Repository() {
    fs::remove_all(root);
    fs::create_directories(root / "chapters" / "ch02-x");
    git({"init", "-q"});
  }
  ~Repository() { fs::remove_all(root); }

  void git(std::vector<std::string> args) {
    std::vector<std::string> argv = {
        "git", "-C", root.string(), "-c", "user.name=t", "-c", "user.email=t@example.com"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto result = wb::run::run_command(argv);
    INFO(result.output);
    REQUIRE(result.success());
  }

  void commit(std::string const& content, std::string const& message) {
    std::ofstream(root / "chapters/ch02-x/countdown.hpp") << content;
    git({"add", "-A"});
    git({"commit", "-q", "-m", message});
  }
};

}  // namespace

TEST_CASE("the pristine version is the newest commit whose file still has a WB_TODO") {
  Repository repo;
  repo.commit("old stub WB_TODO(\"a\")\n", "first stub");
  repo.commit("new stub WB_TODO(\"b\")\n", "better stub");
  repo.commit("a learner's answer\n", "my work");
  std::ofstream(repo.root / "chapters/ch02-x/countdown.hpp") << "uncommitted work\n";
  auto version = wb::cli::pristine_version(repo.root, repo.root / "chapters/ch02-x/countdown.hpp");
  REQUIRE(std::holds_alternative<wb::cli::PristineVersion>(version));
  CHECK(std::get<wb::cli::PristineVersion>(version).content == "new stub WB_TODO(\"b\")\n");
}

TEST_CASE("a file git never had a stub of has no pristine version") {
  Repository repo;
  repo.commit("no todo here\n", "answer only");
  auto version = wb::cli::pristine_version(repo.root, repo.root / "chapters/ch02-x/countdown.hpp");
  REQUIRE(std::holds_alternative<wb::cli::PristineError>(version));
  CHECK(std::get<wb::cli::PristineError>(version).message.find("WB_TODO") != std::string::npos);
  auto untracked = wb::cli::pristine_version(repo.root, repo.root / "chapters/ch02-x/other.hpp");
  CHECK(std::holds_alternative<wb::cli::PristineError>(untracked));
}

TEST_CASE("a backup copies the file beside earlier ones and never overwrites them") {
  Repository repo;
  auto const file = repo.root / "chapters/ch02-x/countdown.hpp";
  std::ofstream(file) << "my work\n";
  auto const backups = repo.root / ".workbook/backups/ch02";
  auto first = wb::cli::back_up(file, backups);
  auto second = wb::cli::back_up(file, backups);
  CHECK(first != second);
  CHECK(first.filename().string().starts_with("countdown.hpp."));
  CHECK(wb::course::read_text_file(first) == "my work\n");
  CHECK(wb::course::read_text_file(second) == "my work\n");
}

TEST_CASE("a file is replaced whole and keeps its permissions") {
  Repository repo;
  auto const file = repo.root / "chapters/ch02-x/countdown.hpp";
  std::ofstream(file) << "old\n";
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  wb::course::write_file_atomically(file, "new content\n");
  CHECK(wb::course::read_text_file(file) == "new content\n");
  CHECK((fs::status(file).permissions() & fs::perms::others_read) == fs::perms::none);
}

TEST_CASE("a file that cannot be read is nothing, or empty text") {
  Repository repo;
  auto const missing = repo.root / "no-such-file";
  CHECK_FALSE(wb::course::read_file(missing));
  CHECK(wb::course::read_text_file(missing).empty());
  wb::course::write_file(repo.root / "new/folder/file.txt", "text\n");
  CHECK(wb::course::read_file(repo.root / "new/folder/file.txt") == std::string("text\n"));
  wb::course::write_file_atomically(repo.root / "new/fresh.txt", "fresh\n");
  CHECK(wb::course::read_text_file(repo.root / "new/fresh.txt") == "fresh\n");
  CHECK((fs::status(repo.root / "new/fresh.txt").permissions() & fs::perms::others_read) !=
        fs::perms::none);
  std::size_t entries = 0;
  for ([[maybe_unused]] auto const& entry : fs::directory_iterator(repo.root / "new")) ++entries;
  CHECK(entries == 2);  // the folder and the file: no temporary left behind
}
