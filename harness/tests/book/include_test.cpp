// {{#include}} as mdBook has it: whole files, line ranges, anchors, and errors with lines.
#include "temp_tree.hpp"
#include "wb/book/include_expander.hpp"
#include "wb/testing/catch.hpp"

using wb::book::expand_includes;
using wb::book::Problem;
using wb::book::testing::TempTree;

namespace {

constexpr char const* source = R"(#pragma once
// ANCHOR: whole
struct Countdown {
  // ANCHOR: poll
  int poll() {
    // ANCHOR: inner
    return left_--;
    // ANCHOR_END: inner
  }
  // ANCHOR_END: poll
  int left_ = 3;
};
// ANCHOR_END: whole
)";

}  // namespace

TEST_CASE("an include brings the whole file in") {
  TempTree tree;
  tree.write("code/a.hpp", "line one\nline two\n");
  auto const page = tree.write("book/src/page.md", "");
  std::vector<Problem> problems;
  auto const result =
      expand_includes("before\n{{#include ../../code/a.hpp}}\nafter\n", page, problems);
  CHECK(problems.empty());
  CHECK(result.text == "before\nline one\nline two\nafter\n");
  REQUIRE(result.included.size() == 1);
  CHECK(result.included[0].filename() == "a.hpp");
}

TEST_CASE("an include takes one line or a range of lines") {
  TempTree tree;
  tree.write("lines.txt", "1\n2\n3\n4\n5\n");
  auto const page = tree.write("page.md", "");
  std::vector<Problem> problems;
  CHECK(expand_includes("{{#include lines.txt:2}}", page, problems).text == "2");
  CHECK(expand_includes("{{#include lines.txt::2}}", page, problems).text == "1\n2");
  CHECK(expand_includes("{{#include lines.txt:4:}}", page, problems).text == "4\n5");
  CHECK(expand_includes("{{#include lines.txt:2:4}}", page, problems).text == "2\n3\n4");
  CHECK(problems.empty());
}

TEST_CASE("an anchored include leaves out every marker line and the shared indentation") {
  TempTree tree;
  tree.write("countdown.hpp", source);
  auto const page = tree.write("page.md", "");
  std::vector<Problem> problems;
  CHECK(expand_includes("{{#include countdown.hpp:poll}}", page, problems).text ==
        "int poll() {\n  return left_--;\n}");
  CHECK(expand_includes("{{#include countdown.hpp:whole}}", page, problems).text ==
        "struct Countdown {\n  int poll() {\n    return left_--;\n  }\n  int left_ = 3;\n};");
  CHECK(problems.empty());
}

TEST_CASE("a missing file or anchor is a problem naming the page and the line") {
  TempTree tree;
  tree.write("countdown.hpp", source);
  auto const page = tree.write("page.md", "");
  std::vector<Problem> problems;
  auto const result = expand_includes(
      "# Title\n\n{{#include nowhere.hpp}}\ntext\n{{#include countdown.hpp:no_such_anchor}}\n",
      page, problems);
  REQUIRE(problems.size() == 2);
  CHECK(problems[0].file == page);
  CHECK(problems[0].line == 3);
  CHECK(problems[0].message.find("nowhere.hpp") != std::string::npos);
  CHECK(problems[1].line == 5);
  CHECK(problems[1].message.find("no_such_anchor") != std::string::npos);
  CHECK(result.text.find("{{#include nowhere.hpp}}") != std::string::npos);
}

TEST_CASE("a line range past the end of the file is a problem") {
  TempTree tree;
  tree.write("short.txt", "only\n");
  auto const page = tree.write("page.md", "");
  std::vector<Problem> problems;
  expand_includes("{{#include short.txt:7}}", page, problems);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].message.find("1 lines") != std::string::npos);
}

TEST_CASE("an escaped include is shown as written") {
  TempTree tree;
  auto const page = tree.write("page.md", "");
  std::vector<Problem> problems;
  CHECK(expand_includes("use \\{{#include file.rs:anchor}} like this", page, problems).text ==
        "use {{#include file.rs:anchor}} like this");
  CHECK(problems.empty());
}

TEST_CASE("includes inside included files are relative to the file that holds them") {
  TempTree tree;
  tree.write("parts/inner.txt", "inner text");
  tree.write("parts/outer.md", "outer: {{#include inner.txt}}");
  auto const page = tree.write("page.md", "");
  std::vector<Problem> problems;
  CHECK(expand_includes("{{#include parts/outer.md}}", page, problems).text == "outer: inner text");
  CHECK(problems.empty());
}
