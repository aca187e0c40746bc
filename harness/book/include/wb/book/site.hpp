// wb::book::build_site — book/ (book.toml, src/SUMMARY.md, the chapter pages) to a static site
// that works from disk (file://) and from any web server: one page per chapter with sidebar,
// previous/next links, search, themes, the chapter's exercises and the learner's status; a
// print page with every chapter; the search index. Every problem (a missing page, include,
// anchor or link target) is collected, and the build fails listing them all before anything is
// written.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "wb/book/problem.hpp"

namespace wb::book {

struct SiteOptions {
  std::filesystem::path root;           // the repository
  std::filesystem::path book_dir;       // book/: book.toml and src/
  std::filesystem::path theme_dir;      // the page template, stylesheet and scripts
  std::filesystem::path chapters_dir;   // chapters/: each chapter's chapter.toml
  std::filesystem::path progress_file;  // .workbook/progress.toml (may not exist)
  std::filesystem::path node_modules;   // browser assets are copied from here when present
  std::filesystem::path out_dir;
  bool live_reload = false;  // pages ask the server that built them whether to reload

  /// The usual places inside a repository.
  static SiteOptions for_repository(std::filesystem::path const& root,
                                    std::filesystem::path const& out_dir);
};

struct BuildReport {
  int pages = 0;          // chapter pages written (index, print and 404 not counted)
  int drafts = 0;         // chapters listed in SUMMARY.md without a page yet
  int links_checked = 0;  // internal links that were followed
  int search_entries = 0;
  std::vector<std::string> missing_assets;    // browser assets not found (site works without)
  std::vector<std::filesystem::path> inputs;  // every file read: what `serve` watches
  std::chrono::microseconds elapsed{};
};

/// Builds the site into options.out_dir. Throws BookError listing every problem.
BuildReport build_site(SiteOptions const& options);

}  // namespace wb::book
