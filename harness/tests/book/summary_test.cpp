// SUMMARY.md as mdBook reads it: prefix chapters, parts, numbered and nested chapters, drafts.
#include "wb/book/summary.hpp"

#include "wb/testing/catch.hpp"

using wb::book::parse_summary;
using wb::book::Problem;
using Kind = wb::book::TocEntry::Kind;

TEST_CASE("a summary has prefix chapters then parts of numbered chapters then suffix chapters") {
  std::vector<Problem> problems;
  auto const summary = parse_summary(R"(# Summary

[Introduction](introduction.md)

# Part I: How async works

- [Why async is different](ch01-why-async.md)
- [The Future concept](ch02-future-concept.md)
    - [Poll in detail](ch02-poll.md)
    - [Drafted section]()
- [Pinning]()

---

# Appendices

- [Exercises]()

[Thanks](thanks.md)
)",
                                     "SUMMARY.md", problems);
  REQUIRE(problems.empty());
  CHECK(summary.title == "Summary");
  auto const& e = summary.entries;
  REQUIRE(e.size() == 11);
  CHECK(e[0].kind == Kind::prefix);
  CHECK(e[0].number.empty());
  CHECK(e[1].kind == Kind::part_title);
  CHECK(e[1].title == "Part I: How async works");
  CHECK(e[2].number == "1.");
  CHECK(e[3].number == "2.");
  CHECK(e[4].number == "2.1.");
  CHECK(e[4].depth == 1);
  CHECK(e[5].number == "2.2.");
  CHECK(e[5].is_draft());
  CHECK(e[6].number == "3.");
  CHECK(e[6].depth == 0);
  CHECK(e[7].kind == Kind::separator);
  CHECK(e[8].kind == Kind::part_title);
  CHECK(e[9].number == "4.");  // numbering goes on across parts, as in mdBook
  CHECK(e[9].line == 17);
  CHECK(e[10].kind == Kind::suffix);
}

TEST_CASE("the pages of a summary are its chapters with a file in reading order") {
  std::vector<Problem> problems;
  auto const summary = parse_summary(
      "[Intro](intro.md)\n- [One](one.md)\n- [Two]()\n- [Three](three.md)\n[End](end.md)\n",
      "SUMMARY.md", problems);
  std::vector<std::string> paths;
  for (auto const* page : summary.pages()) paths.push_back(page->path);
  CHECK(paths == std::vector<std::string>{"intro.md", "one.md", "three.md", "end.md"});
  CHECK(summary.entries.back().kind == Kind::suffix);
}

TEST_CASE("a summary line that is not a link is a problem naming its line") {
  std::vector<Problem> problems;
  parse_summary("# Summary\n\n- [Fine](fine.md)\n- Not a link\nplain words\n", "SUMMARY.md",
                problems);
  REQUIRE(problems.size() == 2);
  CHECK(problems[0].line == 4);
  CHECK(problems[1].line == 5);
}

TEST_CASE("a summary title may hold inline code and brackets") {
  std::vector<Problem> problems;
  auto const summary =
      parse_summary("- [The `Poll<T>` type [draft]](poll.md)\n", "SUMMARY.md", problems);
  REQUIRE(summary.entries.size() == 1);
  CHECK(summary.entries[0].title == "The `Poll<T>` type [draft]");
  CHECK(summary.entries[0].path == "poll.md");
}
