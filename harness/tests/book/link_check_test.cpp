// The link checker: every internal link lands on a page, an id in it, or a file of the book.
#include "wb/book/link_check.hpp"

#include "temp_tree.hpp"
#include "wb/testing/catch.hpp"

using wb::book::check_links;
using wb::book::PageLinks;
using wb::book::Problem;
using wb::book::testing::TempTree;

TEST_CASE("links to pages ids and files of the book pass and external links are not followed") {
  TempTree tree;
  tree.write("src/pic.png", "png");
  std::vector<PageLinks> pages = {
      {"a.md",
       tree / "src/a.md",
       "",
       {"b.md", "b.md#waker", "#top", "pic.png", "https://x.y/z", "mailto:a@b.c", "print.html"},
       {"top"}},
      {"b.md", tree / "src/b.md", "", {"a.html#top"}, {"waker"}}};
  std::vector<Problem> problems;
  CHECK(check_links(pages, tree / "src", problems) == 6);
  CHECK(problems.empty());
}

TEST_CASE("a link to a missing page or id is a problem naming the line it is on") {
  TempTree tree;
  std::vector<PageLinks> pages = {{"a.md",
                                   tree / "src/a.md",
                                   "# A\n\nSee [b](b.md#nope).\n\nAnd [c](c.md).\n",
                                   {"b.md#nope", "c.md", "#missing", "../outside.md"},
                                   {"a"}},
                                  {"b.md", tree / "src/b.md", "", {}, {"waker"}}};
  std::vector<Problem> problems;
  check_links(pages, tree / "src", problems);
  REQUIRE(problems.size() == 4);
  CHECK(problems[0].line == 3);
  CHECK(problems[0].message.find("\"nope\"") != std::string::npos);
  CHECK(problems[1].line == 5);
  CHECK(problems[1].message.find("no such page") != std::string::npos);
  CHECK(problems[2].message.find("\"missing\"") != std::string::npos);
  CHECK(problems[3].message.find("outside") != std::string::npos);
}

TEST_CASE("a page on disk but not in the summary is reported as such") {
  TempTree tree;
  tree.write("src/orphan.md", "# Orphan\n");
  std::vector<PageLinks> pages = {{"a.md", tree / "src/a.md", "", {"orphan.md"}, {}}};
  std::vector<Problem> problems;
  check_links(pages, tree / "src", problems);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].message.find("not in SUMMARY.md") != std::string::npos);
}
