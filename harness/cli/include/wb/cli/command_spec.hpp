// wb::cli::CommandSpec — a subcommand of the workbook program as its own source file describes
// it: its name, its help, its arguments and flags bound to its options, and what runs when the
// command line chooses it. Each cmd_<name>.cpp makes its own (<name>_command()); main.cpp turns
// them into CLI11's parser, so that only one file of the program compiles CLI11 (a heavy header:
// about five seconds of compiling per file that includes it).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace wb::cli {

struct Session;

/// One argument: positional when `names` has no leading '-' ("chapter"), else an option or a
/// flag ("--level", "--yes,-y"). A `bool` target makes a flag; the others take a value.
struct ArgumentSpec {
  using Target =
      std::variant<std::string*, bool*, int*, std::optional<int>*, std::vector<std::string>*>;
  std::string names;
  std::string help;
  Target into;
  bool required = false;
};

struct CommandSpec {
  std::string name;
  std::string help;
  std::string footer;  // printed after the arguments in --help; empty: none
  std::vector<ArgumentSpec> arguments;
  /// A command made of subcommands (`book build`, `book serve`): one of them must be chosen,
  /// and it is what runs.
  std::vector<CommandSpec> subcommands;
  std::function<int(Session const&)> run;  // a command without subcommands
};

CommandSpec list_command();
CommandSpec check_command();
CommandSpec watch_command();
CommandSpec hint_command();
CommandSpec solution_command();
CommandSpec reset_command();
CommandSpec doctor_command();
CommandSpec verify_command();
CommandSpec book_command();
CommandSpec run_command();

/// The learner's and the author's commands, in the order `--help` lists them (the instructor's,
/// grade and dist, come from the grading library).
std::vector<CommandSpec> workbook_commands();

}  // namespace wb::cli
