// Tests of starting other programs.
#include <signal.h>

#include <wb/run/process.hpp>
#include <wb/testing/catch.hpp>

TEST_CASE("a command's output and exit code are captured") {
  auto result = wb::run::run_command({"sh", "-c", "echo out; echo err >&2; exit 4"});
  REQUIRE(result.started);
  CHECK(result.status.value == 4);
  CHECK_FALSE(result.status.signaled());
  CHECK(result.output.find("out\n") != std::string::npos);
  CHECK(result.output.find("err\n") != std::string::npos);
}

TEST_CASE("a command killed by a signal says which") {
  auto result = wb::run::run_command({"sh", "-c", "kill -SEGV $$"});
  CHECK(result.status.signaled());
  CHECK(wb::run::describe(result.status) == "SIGSEGV");
  CHECK(wb::run::signal_name(SIGABRT) == "SIGABRT");
}

TEST_CASE("a program that does not exist does not start") {
  auto result = wb::run::run_command({"wb-no-such-program-anywhere"});
  CHECK_FALSE(result.started);
  CHECK_FALSE(result.error.empty());
  CHECK_FALSE(wb::run::find_in_path("wb-no-such-program-anywhere").has_value());
  CHECK(wb::run::find_in_path("sh").has_value());
}
