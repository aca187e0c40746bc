// A poll that never returns cannot be unwound: the watchdog writes its verdict to
// $WB_VERDICT_FILE and ends the process with exit code 86. Checked on a separate program.
#include "wb/oracle/watchdog.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "wb/testing/catch.hpp"

extern char** environ;

TEST_CASE("a poll that never returns ends the process with the watchdog's verdict") {
  auto verdict_file = std::filesystem::temp_directory_path() /
                      ("wb-verdict-" + std::to_string(::getpid()) + ".txt");
  std::filesystem::remove(verdict_file);
  std::string env_entry = "WB_VERDICT_FILE=" + verdict_file.string();
  std::vector<char*> env;
  for (char** e = environ; *e != nullptr; ++e) env.push_back(*e);
  env.push_back(env_entry.data());
  env.push_back(nullptr);

  std::string program = WB_STUCK_POLL_FIXTURE;
  char* argv[] = {program.data(), nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, program.c_str(), &actions, nullptr, argv, env.data()) == 0);
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == wb::oracle::Watchdog::exit_code);

  std::ifstream in(verdict_file);
  std::stringstream text;
  text << in.rdbuf();
  CHECK_THAT(text.str(), Catch::Matchers::ContainsSubstring(
                             "parking oracle (blocking watchdog): poll #1 never returned"));
  std::filesystem::remove(verdict_file);
}
