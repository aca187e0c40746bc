// Tests of reading chapter.toml.
#include <wb/course/manifest.hpp>
#include <wb/testing/catch.hpp>

namespace {

constexpr char const* full_chapter = R"(
title = "The Future concept"
summary = "Write a future by hand."
time_limit_seconds = 7

[[exercises]]
name = "countdown"
title = "CountdownFuture"
files = ["countdown.hpp"]
threads = true
hints = ["one", "two", "three"]
[exercises.tests]
"zebra comes first in the file" = 1
"apple comes second" = 2
"mango, with a comma" = 3
[exercises.test_hints]
"apple comes second" = "Look at the apple."

[[exercises]]
name = "second_one"
[exercises.tests]
"only test" = 1
)";

}  // namespace

TEST_CASE("a chapter manifest gives title summary time limit and exercises") {
  auto chapter = wb::course::parse_chapter(full_chapter, "/repo/chapters/ch02-future-concept");
  CHECK(chapter.id == "ch02");
  CHECK(chapter.number == 2);
  CHECK(chapter.slug == "ch02-future-concept");
  CHECK(chapter.title == "The Future concept");
  CHECK(chapter.summary == "Write a future by hand.");
  CHECK(chapter.time_limit == std::chrono::seconds(7));
  REQUIRE(chapter.exercises.size() == 2);
  CHECK(chapter.total_points() == 7);
  CHECK(chapter.target(chapter.exercises[0]) == "ch02_countdown");
  CHECK(chapter.target(chapter.exercises[0], "_solution") == "ch02_countdown_solution");
}

TEST_CASE("tests keep the order chapter.toml lists them in") {
  auto chapter = wb::course::parse_chapter(full_chapter, "/repo/chapters/ch02-future-concept");
  auto names = chapter.exercises[0].test_names();
  REQUIRE(names.size() == 3);
  CHECK(names[0] == "zebra comes first in the file");
  CHECK(names[1] == "apple comes second");
  CHECK(names[2] == "mango, with a comma");
  CHECK(chapter.exercises[0].test("apple comes second")->points == 2);
}

TEST_CASE("hints come by level and a test may have its own") {
  auto chapter = wb::course::parse_chapter(full_chapter, "/repo/chapters/ch02-future-concept");
  auto const& countdown = chapter.exercises[0];
  CHECK(countdown.hint_at(1) == "one");
  CHECK(countdown.hint_at(3) == "three");
  CHECK(countdown.hint_at(9) == "three");
  CHECK(countdown.hint_for("apple comes second") == "Look at the apple.");
  CHECK_FALSE(countdown.hint_for("zebra comes first in the file").has_value());
}

TEST_CASE("an exercise without title or files gets its name and name.hpp") {
  auto chapter = wb::course::parse_chapter(full_chapter, "/repo/chapters/ch02-future-concept");
  auto const& second = chapter.exercises[1];
  CHECK(second.title == "second_one");
  REQUIRE(second.files.size() == 1);
  CHECK(second.files[0] == "second_one.hpp");
  CHECK(second.hints.empty());
  CHECK(second.hint_at(1).empty());
}

TEST_CASE("an exercise runs under ThreadSanitizer too only when chapter.toml says threads") {
  auto chapter = wb::course::parse_chapter(full_chapter, "/repo/chapters/ch02-future-concept");
  CHECK(chapter.exercises[0].threads);
  CHECK_FALSE(chapter.exercises[1].threads);
  CHECK_THROWS_AS(
      wb::course::parse_chapter("title = \"t\"\n[[exercises]]\nname = \"a\"\nthreads = \"yes\"\n",
                                "/repo/chapters/ch05-x"),
      wb::course::ManifestError);
}

TEST_CASE("the time limit is ten seconds unless chapter.toml says otherwise") {
  auto chapter = wb::course::parse_chapter("title = \"t\"\n[[exercises]]\nname = \"a\"\n",
                                           "/repo/chapters/ch05-x");
  CHECK(chapter.time_limit == std::chrono::seconds(10));
}

TEST_CASE("a broken manifest is an error that names the file and the line") {
  using Catch::Matchers::ContainsSubstring;
  CHECK_THROWS_WITH(wb::course::parse_chapter("title = \n", "/r/chapters/ch02-x"),
                    ContainsSubstring("/r/chapters/ch02-x/chapter.toml:1"));
  CHECK_THROWS_WITH(wb::course::parse_chapter("summary = \"s\"\n[[exercises]]\nname = \"a\"\n",
                                              "/r/chapters/ch02-x"),
                    ContainsSubstring("`title` is missing"));
  CHECK_THROWS_WITH(wb::course::parse_chapter("title = \"t\"\n", "/r/chapters/ch02-x"),
                    ContainsSubstring("no [[exercises]]"));
  CHECK_THROWS_WITH(wb::course::parse_chapter("title = \"t\"\n[[exercises]]\nname = \"Bad Name\"\n",
                                              "/r/chapters/ch02-x"),
                    ContainsSubstring("lower_case_with_underscores"));
  CHECK_THROWS_WITH(wb::course::parse_chapter("title = \"t\"\n[[exercises]]\nname = \"a\"\n"
                                              "[exercises.tests]\n\"x\" = \"one\"\n",
                                              "/r/chapters/ch02-x"),
                    ContainsSubstring("chapter.toml:5: points of \"x\""));
  CHECK_THROWS_WITH(wb::course::parse_chapter("title = \"t\"\ntime_limit_seconds = 0\n"
                                              "[[exercises]]\nname = \"a\"\n",
                                              "/r/chapters/ch02-x"),
                    ContainsSubstring("time_limit_seconds"));
}

TEST_CASE("a missing chapter.toml is an error") {
  CHECK_THROWS_AS(wb::course::load_chapter("/nonexistent/chapters/ch09-nothing"),
                  wb::course::ManifestError);
}

TEST_CASE("a manifest error gives its file, line and problem apart") {
  try {
    wb::course::parse_chapter(
        "title = \"t\"\n[[exercises]]\nname = \"a\"\n"
        "[exercises.tests]\n\"x\" = \"one\"\n",
        "/r/chapters/ch02-x");
    FAIL("the manifest was accepted");
  } catch (wb::course::ManifestError const& error) {
    CHECK(error.file() == "/r/chapters/ch02-x/chapter.toml");
    CHECK(error.line() == 5);
    CHECK(error.problem() == "points of \"x\" must be a whole number, 0 or more");
  }
}

TEST_CASE("a chapter whose exercises are still being written is read when they are optional") {
  auto const chapter =
      wb::course::parse_chapter("title = \"Exercises\"\nsummary = \"s\"\n",
                                "/r/chapters/ch14-exercises", wb::course::Exercises::optional);
  CHECK(chapter.title == "Exercises");
  CHECK(chapter.id == "ch14");
  CHECK(chapter.exercises.empty());
}
