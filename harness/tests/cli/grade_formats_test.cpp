// The table of gradebook formats (wb/grade/report_formats.hpp): what `grade --format` takes, its
// help and its writer all come from it, and every row renders a gradebook with no submissions and
// one with a submission; and where grading time went, as the JSON and the table report it.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
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

TEST_CASE("where grading time went is in the json by step and averaged under the table") {
  auto book = one_submission();
  auto& alice = book.submissions.front();
  alice.time.unpack = 0.5;
  alice.time.compile = 6;
  alice.time.inspect = 1;
  alice.time.link = 1.5;
  alice.time.run = 0.7;
  alice.time.other = 0.3;
  auto bob = alice;
  bob.name = "bob";
  bob.time.compile = 8;
  book.submissions.push_back(bob);
  auto const json = nlohmann::json::parse(wb::grade::format_json(book));
  auto const& time = json["submissions"][0]["time"];
  CHECK(time["unpack"] == 0.5);
  CHECK(time["compile"] == 6.0);
  CHECK(time["run"] == 0.7);
  CHECK(time["total"] == 10.0);
  CHECK(json["submissions"][0]["chapters"][0]["exercises"][0]["time"]["total"] == 0.0);
  // the averages of the two: 11 s, compile 7 s
  CHECK(wb::grade::describe_grading_time(book) ==
        "grading time per submission (2 graded, its exercises' steps summed): 11.0 s — unpack "
        "0.5 s (5%), compile 7.0 s (64%), inspect 1.0 s (9%), link 1.5 s (14%), run tests 0.7 s "
        "(6%), other 0.3 s (3%)");
  auto const term = wb::cli::Terminal::plain();
  wb::grade::TestCodeLookup const no_code = [](auto const&, auto const&, auto const&) {
    return std::string();
  };
  auto const* table = wb::grade::find_report_format("table");
  auto const shown = table->render({book, term, no_code, false}, nullptr);
  CHECK_THAT(shown, ContainsSubstring("grading time per submission (2 graded"));
  auto const quiet = table->render({book, term, no_code, true}, nullptr);
  CHECK(quiet == wb::grade::format_table(book, term));
  wb::grade::Gradebook none;
  CHECK(wb::grade::describe_grading_time(none).empty());
}
