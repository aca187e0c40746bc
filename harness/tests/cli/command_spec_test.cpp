// Each command describes itself (its cmd_<name>.cpp): the descriptions must make a parser
// without clashes, and every command the parser can choose must have something to run.
#include <set>
#include <string>
#include <wb/cli/command_spec.hpp>
#include <wb/testing/catch.hpp>

namespace {

void check_command(wb::cli::CommandSpec const& command, std::string const& path) {
  INFO("command: " << path);
  CHECK_FALSE(command.help.empty());
  std::set<std::string> names;
  for (auto const& argument : command.arguments) {
    CHECK(names.insert(argument.names).second);
    CHECK_FALSE(argument.help.empty());
  }
  if (command.subcommands.empty()) {
    CHECK(static_cast<bool>(command.run));
  } else {
    std::set<std::string> subcommands;
    for (auto const& subcommand : command.subcommands) {
      CHECK(subcommands.insert(subcommand.name).second);
      check_command(subcommand, path + " " + subcommand.name);
    }
  }
}

}  // namespace

TEST_CASE("every command describes itself with help and something to run") {
  auto const commands = wb::cli::workbook_commands();
  std::set<std::string> names;
  for (auto const& command : commands) {
    CHECK(names.insert(command.name).second);
    check_command(command, command.name);
  }
  for (char const* expected :
       {"list", "check", "watch", "hint", "solution", "reset", "doctor", "verify", "book", "run"}) {
    CHECK(names.contains(expected));
  }
}

TEST_CASE("commands that need a chapter or a program say it is required") {
  std::set<std::string> required;
  for (auto const& command : wb::cli::workbook_commands()) {
    for (auto const& argument : command.arguments) {
      if (argument.required) required.insert(command.name + " " + argument.names);
    }
  }
  CHECK(required ==
        std::set<std::string>{"check chapter", "hint chapter", "solution chapter", "run program"});
}
