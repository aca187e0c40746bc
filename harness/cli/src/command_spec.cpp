#include "wb/cli/command_spec.hpp"

namespace wb::cli {

std::vector<CommandSpec> workbook_commands() {
  std::vector<CommandSpec> commands;
  commands.push_back(list_command());
  commands.push_back(check_command());
  commands.push_back(watch_command());
  commands.push_back(hint_command());
  commands.push_back(solution_command());
  commands.push_back(reset_command());
  commands.push_back(doctor_command());
  commands.push_back(verify_command());
  commands.push_back(book_command());
  commands.push_back(run_command());
  return commands;
}

}  // namespace wb::cli
