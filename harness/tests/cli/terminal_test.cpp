// Tests of the terminal helpers behind the CLI's output (wb/cli/terminal.hpp).
#include <wb/cli/terminal.hpp>
#include <wb/testing/catch.hpp>

TEST_CASE("plain terminals get no colour codes") {
  auto plain = wb::cli::Terminal::plain();
  CHECK(plain.red("x") == "x");
}

TEST_CASE("a progress bar fills in proportion") {
  CHECK(wb::cli::progress_bar(5, 10, 4) == "██░░");
  CHECK(wb::cli::progress_bar(0, 0, 2) == "░░");
  CHECK(wb::cli::progress_bar(20, 10, 2) == "██");
}
