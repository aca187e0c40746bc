#include "wb/grade/commands.hpp"

#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <string>
#include <string_view>

#include "wb/grade/report_formats.hpp"

namespace wb::grade {

void GradingCommands::add_to(CLI::App& app) {
  grade_command_ = app.add_subcommand(
      "grade", "For instructors: grade submissions (folders, .tar.gz, .zip) in a sandbox");
  submissions_ = grade_command_
                     ->add_option("submissions", grade_.submissions,
                                  "Submissions to grade (after --, names that start with '-' too)")
                     ->required();
  // "table (default), csv, json, …; may be repeated": the names from the table of formats
  std::string formats;
  for (auto const& format : report_formats()) {
    formats +=
        formats.empty() ? std::string(format.name) + " (default)" : ", " + std::string(format.name);
  }
  grade_command_->add_option("--format", grade_.formats, formats + "; may be repeated")->take_all();
  grade_command_->add_option("--out", grade_.out,
                             "The file to write (one format), or a folder (several)");
  grade_command_->add_option("--chapters", grade_.chapters, "Chapters to grade (default: all)")
      ->delimiter(',');
  grade_command_->add_option(
      "--jobs,-j", grade_.jobs,
      "Exercises graded at once (default: the processors it may run on, at most 8)");
  grade_command_->add_option("--time-limit", grade_.time_limit,
                             "Seconds per test (default: each chapter's time_limit_seconds)");
  grade_command_->add_option("--submission-time", grade_.submission_time,
                             "Seconds of tests per submission, all exercises together (600)");
  grade_command_->add_option("--memory", grade_.memory_mb, "Megabytes per test program (2048)");
  grade_command_->add_option("--processes", grade_.processes,
                             "Processes and threads per sandbox (128)");
  grade_command_->add_option("--output-cap", grade_.output_cap,
                             "Bytes a test program may print before it is stopped (1 MiB)");
  grade_command_->add_option("--output-shown", grade_.output_shown,
                             "Bytes of each test's output kept in the reports (2000)");
  grade_command_->add_option("--build-tree", grade_.build_tree,
                             "The configured build tree to compile with (default: this one)");
  grade_command_->add_flag("--no-cache", grade_.no_cache, "Grade everything again");
  grade_command_->add_flag("--no-build", grade_.no_build,
                           "The tree's shared parts are built already (tests)");
  grade_command_->add_flag("--no-sandbox", grade_.no_sandbox,
                           "Do not use bubblewrap (resource limits only)");
  grade_command_->add_flag("--keep-work", grade_.keep_work,
                           "Keep each submission's work folder (for debugging)");
  grade_command_->add_flag("--quiet,-q", grade_.quiet, "Only the grades");

  dist_command_ = app.add_subcommand(
      "dist", "For instructors: a student bundle, a Gradescope autograder, a Classroom workflow");
  dist_command_->add_option("what", dist_.what, "student, gradescope or classroom")
      ->required()
      ->check(CLI::IsMember({"student", "gradescope", "classroom"}));
  dist_command_->add_option("--out", dist_.out, "Where to write it (default: build/dist/<what>)");
  dist_command_->add_flag("--tarball", dist_.tarball,
                          "Also pack the student bundle as a .tar.gz beside the folder");
}

std::vector<char*> GradingCommands::set_aside_after_separator(int argc, char** argv) {
  std::vector<char*> kept(argv, argv + argc);
  if (argc < 2 || std::string_view(argv[1]) != "grade") return kept;
  for (int i = 2; i < argc; ++i) {
    if (std::string_view(argv[i]) != "--") continue;
    after_separator_.assign(argv + i + 1, argv + argc);
    kept.resize(static_cast<std::size_t>(i));
    // the submissions come after --; required, the option would keep --chapters from taking
    // more than one value before them
    if (!after_separator_.empty() && submissions_ != nullptr) submissions_->required(false);
    break;
  }
  return kept;
}

std::optional<int> GradingCommands::run(cli::Session const& session) const {
  if (grade_command_ != nullptr && *grade_command_) {
    auto options = grade_;
    options.first_after_separator = options.submissions.size();
    options.submissions.insert(options.submissions.end(), after_separator_.begin(),
                               after_separator_.end());
    try {
      return run_grade(session, options);
    } catch (std::exception const& failure) {
      // caught here so that the stack unwinds: the work folder with learners' sources goes too
      session.error(fmt::format("grading stopped: {}", failure.what()));
      return cli::exit_usage;
    }
  }
  if (dist_command_ != nullptr && *dist_command_) return run_dist(session, dist_);
  return std::nullopt;
}

}  // namespace wb::grade
