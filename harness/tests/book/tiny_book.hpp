// A small complete book for the builder's and the server's tests: two pages, a draft, an
// include with an anchor, a diagram, a solution, a chapter manifest and some progress.
#pragma once

#include "temp_tree.hpp"
#include "wb/book/site.hpp"

namespace wb::book::testing {

inline void write_tiny_book(TempTree const& tree) {
  tree.write("book/book.toml", "[book]\ntitle = \"Tiny Book\"\ndescription = \"A test.\"\n");
  tree.write("book/src/SUMMARY.md",
             "# Summary\n\n[Intro](intro.md)\n\n# Part I\n\n- [One](ch01-one.md)\n- [Two]()\n");
  tree.write("book/src/intro.md", "# Intro\n\nRead [the details](ch01-one.md#details).\n");
  tree.write("book/src/ch01-one.md",
             "# One\n\n## Details\n\nThe waker wakes.\n\n```cpp\n"
             "{{#include ../../code/x.hpp:body}}\n```\n\n```mermaid\ngraph LR\n  A-->B\n```\n\n"
             "<details>\n<summary>Solution</summary>\n\nIt wakes.\n\n</details>\n");
  tree.write("code/x.hpp", "// ANCHOR: body\nint answer() { return 42; }\n// ANCHOR_END: body\n");
  tree.write("chapters/ch01-one/chapter.toml",
             "title = \"One\"\nsummary = \"s\"\n\n[[exercises]]\nname = \"x\"\ntitle = \"The X\"\n"
             "files = [\"x.hpp\"]\n[exercises.tests]\n\"first test\" = 4\n\"second test\" = 6\n");
  tree.write(".workbook/progress.toml",
             "[chapters.ch01]\nstatus = \"in progress\"\nbest_points = 3\ntotal_points = 10\n"
             "last_check = \"2025-01-31T12:00:00Z\"\n[chapters.ch01.exercises.x]\n"
             "best_points = 3\ntotal_points = 10\nhint_level = 1\npassed = false\n");
}

inline SiteOptions tiny_book_options(TempTree const& tree) {
  auto options = SiteOptions::for_repository(tree.root(), tree / "site");
  options.theme_dir = WB_BOOK_THEME_DIR;
  return options;
}

}  // namespace wb::book::testing
