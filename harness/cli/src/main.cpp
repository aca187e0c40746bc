// The workbook program: parses the command line and hands over to one command.
#include <CLI/CLI.hpp>
#include <vector>

#include "wb/cli/commands.hpp"
#include "wb/cli/process.hpp"
#ifdef WB_WITH_GRADING
#include "wb/grade/commands.hpp"
#endif

int main(int argc, char** argv) {
  using namespace wb::cli;
  CLI::App app{"The Async C++ Workbook: read a chapter, fill in its exercises, and check them.",
               "workbook"};
  app.require_subcommand(1);
  app.footer(
      "A chapter is named ch02, 2, 02 or by its folder name (ch02-future-concept).\n"
      "Exit codes: 0 all pass, 1 some fail, 2 usage or setup error.");

  auto* list =
      app.add_subcommand("list", "Every chapter, how far you got, and the whole book's progress");

  CheckOptions check;
  auto* check_command =
      app.add_subcommand("check", "Build a chapter's exercises and run their tests");
  check_command->add_option("chapter", check.chapter, "The chapter: ch02, 2, future-concept …")
      ->required();
  check_command->add_flag("--trace", check.trace,
                          "With each failure an oracle sees, its poll-by-poll timeline (also as a "
                          "diagram on the chapter's page)");

  WatchOptions watch;
  auto* watch_command = app.add_subcommand(
      "watch", "Check a chapter again every time you save, and move on when it passes");
  watch_command->add_option("chapter", watch.chapter,
                            "The chapter (default: the first one not done)");
  watch_command->footer(
      "Keys on a terminal: n next chapter, h hint, l list, r check again, c clear, q quit.");

  HintOptions hint;
  auto* hint_command =
      app.add_subcommand("hint", "The next hint for a chapter's first unfinished exercise");
  hint_command->add_option("chapter", hint.chapter, "The chapter")->required();
  hint_command->add_option("--level", hint.level,
                           "Show this hint level (1-3) without raising yours");
  hint_command->add_flag("--all", hint.all, "Hints for every exercise of the chapter");

  SolutionOptions solution;
  auto* solution_command = app.add_subcommand(
      "solution", "The reference solution of each exercise that passes, and a diff from yours");
  solution_command->add_option("chapter", solution.chapter, "The chapter")->required();
  solution_command->add_option("--exercise", solution.exercise, "Only this exercise");
  solution_command->add_flag("--force", solution.force,
                             "Show it although the exercise does not pass yet");

  ResetOptions reset;
  auto* reset_command = app.add_subcommand(
      "reset", "Put a chapter's exercise files back to the stub (your version is backed up first)");
  reset_command->add_option("chapter", reset.chapter, "The chapter");
  reset_command->add_option("--exercise", reset.exercise, "Only this exercise");
  reset_command->add_flag("--all", reset.all,
                          "Every chapter of the course (your versions saved in one folder)");
  reset_command->add_flag("--yes,-y", reset.yes, "Do not ask before replacing files");

  auto* doctor = app.add_subcommand("doctor", "What the workbook needs, and whether it is there");

  VerifyOptions verify;
  auto* verify_command = app.add_subcommand(
      "verify", "For authors: stubs are not started, solutions pass, mutants are caught");
  verify_command->add_option("chapters", verify.chapters, "Chapters to verify (default: all)");
  verify_command->add_flag("--no-build", verify.no_build,
                           "Use the programs already built (what ctest does)");
  verify_command->add_option("--json", verify.json_file, "Also write a summary as JSON to FILE");

#ifdef WB_WITH_GRADING
  wb::grade::GradingCommands grading;
  grading.add_to(app);
#endif

  BookOptions book;
  auto* book_command =
      app.add_subcommand("book", "The book as a website: build it, or serve it while you read");
  book_command->require_subcommand(1);
  auto* book_build = book_command->add_subcommand("build", "Write the site (opens from disk)");
  book_build->add_option("--out", book.out, "Where to write it (default: build/book-site)");
  auto* book_serve = book_command->add_subcommand(
      "serve", "Serve the site on localhost and rebuild it when a file changes");
  book_serve->add_option("--port", book.port, "The port (default 3000; 0 picks a free one)");
  book_serve->add_option("--out", book.out, "Where to write the site (default: build/book-site)");

  RunProgramOptions run;
  auto* run_command = app.add_subcommand(
      "run", "Build and run one of the course's programs: chat (chapter 16's chat server)");
  run_command->add_option("program", run.program, "The program: chat")->required();
  run_command->add_flag("--mine", run.mine,
                        "Build it from your exercise files instead of the reference solutions");
  run_command->add_option("args", run.args, "Arguments for the program, after --");
  run_command->footer("Example: workbook run chat -- --port 0");

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

  install_interrupt_handler();
  auto const session = Session::discover();
  if (*list) return run_list(session);
  if (*check_command) return run_check(session, check);
  if (*watch_command) return run_watch(session, watch);
  if (*hint_command) return run_hint(session, hint);
  if (*reset_command) return run_reset(session, reset);
  if (*solution_command) return run_solution(session, solution);
  if (*run_command) return run_program(session, run);
  if (*doctor) return run_doctor(session);
  if (*verify_command) return run_verify(session, verify);
#ifdef WB_WITH_GRADING
  if (auto const status = grading.run(session)) return *status;
#endif
  if (*book_command) {
    book.action = *book_build ? "build" : "serve";
    return run_book(session, book);
  }
  return exit_usage;
}
