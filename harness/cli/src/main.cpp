// The workbook program: turns each command's own description (CommandSpec, made in its
// cmd_<name>.cpp) into CLI11's parser, parses the command line and runs the command it chose.
#include <CLI/CLI.hpp>
#include <functional>
#include <type_traits>
#include <variant>
#include <vector>

#include "wb/cli/command_spec.hpp"
#include "wb/cli/commands.hpp"
#include "wb/run/process.hpp"
#ifdef WB_WITH_GRADING
#include "wb/grade/commands.hpp"
#endif

namespace {

using wb::cli::ArgumentSpec;
using wb::cli::CommandSpec;
using wb::cli::Session;

/// What runs when the command line chose a given (sub)command.
struct Chosen {
  CLI::App* command;
  std::function<int(Session const&)> const* run;
};

void add_argument(CLI::App& command, ArgumentSpec const& argument) {
  std::visit(
      [&](auto* target) {
        using Target = std::remove_pointer_t<decltype(target)>;
        CLI::Option* option = nullptr;
        if constexpr (std::is_same_v<Target, bool>) {
          option = command.add_flag(argument.names, *target, argument.help);
        } else {
          option = command.add_option(argument.names, *target, argument.help);
        }
        if (argument.required) option->required();
      },
      argument.into);
}

void add_command(CLI::App& parent, CommandSpec const& spec, std::vector<Chosen>& chosen) {
  auto* command = parent.add_subcommand(spec.name, spec.help);
  if (!spec.footer.empty()) command->footer(spec.footer);
  for (auto const& argument : spec.arguments) add_argument(*command, argument);
  if (spec.subcommands.empty()) {
    chosen.push_back({command, &spec.run});
    return;
  }
  command->require_subcommand(1);
  for (auto const& subcommand : spec.subcommands) add_command(*command, subcommand, chosen);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace wb::cli;
  CLI::App app{"The Async C++ Workbook: read a chapter, fill in its exercises, and check them.",
               "workbook"};
  app.require_subcommand(1);
  app.footer(
      "A chapter is named ch02, 2, 02 or by its folder name (ch02-future-concept).\n"
      "Exit codes: 0 all pass, 1 some fail, 2 usage or setup error.");

  auto const commands = workbook_commands();  // outlives the parse: options point into them
  std::vector<Chosen> chosen;
  for (auto const& spec : commands) add_command(app, spec, chosen);
#ifdef WB_WITH_GRADING
  wb::grade::GradingCommands grading;
  grading.add_to(app);
#endif

  // After `grade … --` every word is a submission (a folder may be named --no-sandbox): those
  // words are set aside before CLI11 sees the line.
  std::vector<char*> words(argv, argv + argc);
#ifdef WB_WITH_GRADING
  words = grading.set_aside_after_separator(argc, argv);
#endif
  try {
    app.parse(static_cast<int>(words.size()), words.data());
  } catch (CLI::ParseError const& error) {
    int const code = app.exit(error);
    return code == 0 ? exit_ok : exit_usage;
  }

  wb::run::install_interrupt_handler();
  auto const session = Session::discover();
  for (auto const& [command, run] : chosen) {
    if (*command) return (*run)(session);
  }
#ifdef WB_WITH_GRADING
  if (auto const status = grading.run(session)) return *status;
#endif
  return exit_usage;
}
