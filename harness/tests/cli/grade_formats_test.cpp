// The table of gradebook formats (wb/grade/report_formats.hpp): what `grade --format` takes, its
// help and its writer all come from it, and every row renders a gradebook with no submissions and
// one with a submission.
#include <CLI/CLI.hpp>
#include <set>
#include <string>

#include "wb/grade/commands.hpp"
#include "wb/grade/report_formats.hpp"
#include "wb/testing/catch.hpp"

using Catch::Matchers::ContainsSubstring;

namespace {

wb::grade::Gradebook one_submission() {
  wb::grade::GradedTest test;
  test.name = "countdown finishes";
  test.status = wb::testing::Status::fail;
  test.reason = wb::testing::Reason::assertion;
  test.message = "expected Liftoff!";
  test.max_points = 2;
  wb::grade::GradedExercise exercise;
  exercise.chapter = "ch02";
  exercise.exercise = "countdown";
  exercise.title = "CountdownFuture";
  exercise.tests = {test};
  wb::grade::SubmissionGrade alice;
  alice.name = "alice";
  alice.file_stem = "alice";
  alice.chapters = {{"ch02", "ch02-future-concept", "The Future concept", {exercise}}};
  wb::grade::Gradebook book;
  book.chapters = {{"ch02", "The Future concept"}};
  book.submissions = {alice};
  return book;
}

std::string render(wb::grade::ReportFormat const& format, wb::grade::Gradebook const& book) {
  auto const term = wb::cli::Terminal::plain();
  wb::grade::TestCodeLookup const test_code = [](auto const&, auto const&, auto const& name) {
    return "TEST_CASE(\"" + name + "\")";
  };
  wb::grade::ReportInputs const inputs{book, term, test_code, false};
  if (!format.per_submission) return format.render(inputs, nullptr);
  // a format of one file per submission renders each; an empty submission stands for none
  wb::grade::SubmissionGrade const nobody;
  std::string text;
  for (auto const& submission : book.submissions) text += format.render(inputs, &submission);
  return book.submissions.empty() ? format.render(inputs, &nobody) : text;
}

}  // namespace

TEST_CASE("every gradebook format is named in grade's help") {
  CLI::App app;
  wb::grade::GradingCommands commands;
  commands.add_to(app);
  auto const help = app.get_subcommand("grade")->help();
  for (auto const& format : wb::grade::report_formats()) {
    CHECK_THAT(help, ContainsSubstring(std::string(format.name)));
  }
  CHECK_THAT(help, ContainsSubstring(
                       "table (default), csv, json, junit, gradescope, exercism; may be repeated"));
}

TEST_CASE("every gradebook format renders a book with no submissions and one with a submission") {
  std::set<std::string> names;
  std::set<std::string> files;
  for (auto const& format : wb::grade::report_formats()) {
    INFO("format " << format.name);
    CHECK(names.insert(std::string(format.name)).second);
    REQUIRE(format.render != nullptr);
    auto const empty = render(format, wb::grade::Gradebook{});
    auto const full = render(format, one_submission());
    CHECK_FALSE(empty.empty());
    CHECK_FALSE(full.empty());
    CHECK(empty != full);
    if (format.file.empty()) continue;  // printed on the terminal
    auto const file = format.per_submission ? format.file_for(one_submission().submissions.front())
                                            : std::string(format.file);
    CHECK(files.insert(file).second);
    if (format.per_submission) CHECK_THAT(file, ContainsSubstring("alice"));
  }
  CHECK(wb::grade::find_report_format("csv") == &wb::grade::report_formats()[1]);
  CHECK(wb::grade::find_report_format("xlsx") == nullptr);
  CHECK(wb::grade::report_format_names(" or ") ==
        "table, csv, json, junit, gradescope or exercism");
  CHECK(wb::grade::report_format_names(" and ", true) == "gradescope and exercism");
}
