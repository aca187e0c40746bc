// Tests of the text helpers behind the CLI's output.
#include <wb/cli/terminal.hpp>
#include <wb/cli/text.hpp>
#include <wb/testing/catch.hpp>

TEST_CASE("wrapping keeps words whole and indents every line") {
  auto text = wb::cli::wrap("one two three four five six", 40, "    ");
  CHECK(text == "    one two three four five six\n");
  text = wb::cli::wrap("aaaa bbbb cccc dddd eeee ffff gggg hhhh", 30, "  ");
  for (auto const& line : wb::cli::split_lines(text)) {
    CHECK(line.size() <= 30);
    CHECK(line.starts_with("  "));
  }
  CHECK(wb::cli::wrap("first\nsecond", 80, "> ") == "> first\n> second\n");
}

TEST_CASE("an excerpt keeps the first lines and counts the rest") {
  std::string text;
  for (int i = 0; i < 30; ++i) text += "line " + std::to_string(i) + "\n";
  auto cut = wb::cli::excerpt(text, 20);
  CHECK(cut.lines.size() == 20);
  CHECK(cut.lines.front() == "line 0");
  CHECK(cut.lines_left_out == 10);
  CHECK(wb::cli::excerpt("a\n\n\n", 20).lines.size() == 1);
}

TEST_CASE("colour codes are stripped and plain terminals get none") {
  CHECK(wb::cli::strip_ansi("\x1b[01;31mred\x1b[0m text") == "red text");
  auto plain = wb::cli::Terminal::plain();
  CHECK(plain.red("x") == "x");
  CHECK(wb::cli::display_width("✓ ok") == 4);
}

TEST_CASE("a progress bar fills in proportion") {
  CHECK(wb::cli::progress_bar(5, 10, 4) == "██░░");
  CHECK(wb::cli::progress_bar(0, 0, 2) == "░░");
  CHECK(wb::cli::progress_bar(20, 10, 2) == "██");
}
