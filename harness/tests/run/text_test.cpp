// Tests of the text helpers (wb/text/text.hpp) behind the output of the workbook and the grader.
#include <wb/testing/catch.hpp>
#include <wb/text/text.hpp>

TEST_CASE("wrapping keeps words whole and indents every line") {
  auto text = wb::text::wrap("one two three four five six", 40, "    ");
  CHECK(text == "    one two three four five six\n");
  text = wb::text::wrap("aaaa bbbb cccc dddd eeee ffff gggg hhhh", 30, "  ");
  for (auto const& line : wb::text::split_lines(text)) {
    CHECK(line.size() <= 30);
    CHECK(line.starts_with("  "));
  }
  CHECK(wb::text::wrap("first\nsecond", 80, "> ") == "> first\n> second\n");
}

TEST_CASE("an excerpt keeps the first lines and counts the rest") {
  std::string text;
  for (int i = 0; i < 30; ++i) text += "line " + std::to_string(i) + "\n";
  auto cut = wb::text::excerpt(text, 20);
  CHECK(cut.lines.size() == 20);
  CHECK(cut.lines.front() == "line 0");
  CHECK(cut.lines_left_out == 10);
  CHECK(wb::text::excerpt("a\n\n\n", 20).lines.size() == 1);
}

TEST_CASE("colour codes are stripped and a UTF-8 character is one column") {
  CHECK(wb::text::strip_ansi("\x1b[01;31mred\x1b[0m text") == "red text");
  CHECK(wb::text::display_width("✓ ok") == 4);
}
