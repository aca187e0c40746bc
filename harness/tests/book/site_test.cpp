// The whole site from a small book: pages, exercises and progress, print page, search, errors.
#include "wb/book/site.hpp"

#include "tiny_book.hpp"
#include "wb/testing/catch.hpp"

using namespace wb::book;
using wb::book::testing::TempTree;

namespace {

bool contains(std::string const& text, std::string const& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("a book builds into pages an index a print page and a search index") {
  TempTree tree;
  testing::write_tiny_book(tree);
  auto const report = build_site(testing::tiny_book_options(tree));
  CHECK(report.pages == 2);
  CHECK(report.drafts == 1);
  CHECK(report.links_checked == 1);
  CHECK(report.elapsed < std::chrono::seconds(1));
  for (auto const* file : {"index.html", "intro.html", "ch01-one.html", "print.html", "404.html",
                           "searchindex.js", "theme/book.css", "theme/book.js"}) {
    CHECK(std::filesystem::exists(tree / ("site/" + std::string(file))));
  }
  auto const page = tree.read("site/ch01-one.html");
  CHECK(contains(page, "<title>One - Tiny Book</title>"));
  CHECK(contains(
      page,
      "class=\"active\" aria-current=\"page\"><strong aria-hidden=\"true\">1.</strong> One</a>"));
  CHECK(contains(page, "<li class=\"chapter-item draft\">"));
  CHECK(contains(page, "rel=\"prev\" href=\"intro.html\""));
  CHECK(contains(page, "int answer() { return 42; }"));
  CHECK(!contains(page, "ANCHOR"));
  CHECK(contains(page, "data-mermaid=\"true\""));
  CHECK(tree.read("site/index.html") == tree.read("site/intro.html"));
  CHECK(contains(tree.read("site/searchindex.js"), "\"ch01-one.html#details\""));
  // The report lists what the site was made from, so `serve` can watch it.
  bool include_watched = false;
  for (auto const& input : report.inputs) include_watched |= input.filename() == "x.hpp";
  CHECK(include_watched);
}

TEST_CASE("a chapter page shows its exercises the check command and the learner's status") {
  TempTree tree;
  testing::write_tiny_book(tree);
  build_site(testing::tiny_book_options(tree));
  auto const page = tree.read("site/ch01-one.html");
  CHECK(contains(page, "scripts/workbook check ch01"));
  CHECK(contains(page, "<span class=\"exercise-title\">The X</span>"));
  CHECK(contains(page, "chapters/ch01-one/x.hpp"));
  CHECK(contains(page, "2 tests · 10 points"));
  CHECK(contains(page, "in progress · 3/10 points"));
  CHECK(contains(page, "toc-status in-progress"));
  // The card sits under the chapter's title.
  CHECK(page.find("exercises-card") > page.find("</h1>"));
  CHECK(page.find("exercises-card") < page.find("id=\"details\""));
}

TEST_CASE("without a progress file a chapter page shows no status") {
  TempTree tree;
  testing::write_tiny_book(tree);
  std::filesystem::remove(tree / ".workbook/progress.toml");
  build_site(testing::tiny_book_options(tree));
  auto const page = tree.read("site/ch01-one.html");
  CHECK(contains(page, "scripts/workbook check ch01"));
  CHECK(!contains(page, "chapter-status"));
}

TEST_CASE("an unreadable progress file does not stop the book") {
  TempTree tree;
  testing::write_tiny_book(tree);
  tree.write(".workbook/progress.toml", "[chapters.ch01\nbroken = ");
  CHECK_NOTHROW(build_site(testing::tiny_book_options(tree)));
}

TEST_CASE("the print page holds every chapter with links pointing inside it") {
  TempTree tree;
  testing::write_tiny_book(tree);
  build_site(testing::tiny_book_options(tree));
  auto const print = tree.read("site/print.html");
  CHECK(contains(print, "<section class=\"print-chapter\" id=\"intro\">"));
  CHECK(contains(print, "<section class=\"print-chapter\" id=\"ch01-one\">"));
  CHECK(contains(print, "id=\"ch01-one--details\""));
  CHECK(contains(print, "href=\"#ch01-one--details\""));
}

TEST_CASE("every problem of a book is reported at once and nothing is written") {
  TempTree tree;
  testing::write_tiny_book(tree);
  tree.write("book/src/SUMMARY.md", "[Intro](intro.md)\n- [One](ch01-one.md)\n- [Gone](gone.md)\n");
  tree.write("book/src/intro.md",
             "# Intro\n\n[bad](ch01-one.md#nowhere)\n\n{{#include nothing.txt}}\n");
  try {
    build_site(testing::tiny_book_options(tree));
    FAIL("the build should have failed");
  } catch (BookError const& error) {
    REQUIRE(error.problems().size() == 3);
    std::string const text = error.what();
    CHECK(contains(text, "book/src/SUMMARY.md:3: gone.md is listed"));
    CHECK(contains(text, "book/src/intro.md:5: {{#include nothing.txt}}"));
    CHECK(contains(text, "book/src/intro.md:3: link ch01-one.md#nowhere"));
  }
  CHECK(!std::filesystem::exists(tree / "site"));
}

TEST_CASE("browser libraries missing from node_modules are reported and the site still builds") {
  TempTree tree;
  testing::write_tiny_book(tree);
  auto const report = build_site(testing::tiny_book_options(tree));
  CHECK(!report.missing_assets.empty());
  tree.write("node_modules/mermaid/dist/mermaid.min.js", "// mermaid");
  build_site(testing::tiny_book_options(tree));
  CHECK(tree.read("site/vendor/mermaid.min.js") == "// mermaid");
}

TEST_CASE("a rebuild removes the pages it no longer has and nothing else") {
  TempTree tree;
  testing::write_tiny_book(tree);
  tree.write("site/notes.html", "mine");
  build_site(testing::tiny_book_options(tree));
  CHECK(std::filesystem::exists(tree / "site/ch01-one.html"));
  tree.write("book/src/SUMMARY.md", "[Intro](intro.md)\n- [One]()\n");
  tree.write("book/src/intro.md", "# Intro\n");
  build_site(testing::tiny_book_options(tree));
  CHECK(!std::filesystem::exists(tree / "site/ch01-one.html"));
  CHECK(std::filesystem::exists(tree / "site/intro.html"));
  CHECK(tree.read("site/notes.html") == "mine");
}
