// wb::book::Summary — the table of contents read from SUMMARY.md the way mdBook reads it: prefix
// chapters, part titles, numbered chapters nested by indentation, drafts (a link with no
// target), separators, and suffix chapters.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "wb/book/problem.hpp"

namespace wb::book {

struct TocEntry {
  enum class Kind { prefix, numbered, suffix, part_title, separator };
  Kind kind = Kind::numbered;
  std::string title;   // as written, Markdown inline text
  std::string path;    // relative to the source folder; empty for drafts, parts, separators
  std::string number;  // "2." or "2.1." for numbered chapters, empty otherwise
  int depth = 0;       // 0 for top-level chapters
  int line = 0;        // in SUMMARY.md

  bool is_chapter() const {
    return kind == Kind::prefix || kind == Kind::numbered || kind == Kind::suffix;
  }
  bool is_draft() const { return is_chapter() && path.empty(); }
};

struct Summary {
  std::string title;  // the "# Summary" line, usually ignored
  std::vector<TocEntry> entries;

  /// The chapters that have a page, in reading order.
  std::vector<TocEntry const*> pages() const;
};

/// Reads SUMMARY.md. A line it cannot read is a problem (reported with its line number), as
/// in mdBook; the rest of the file is still read so that all problems are reported at once.
Summary parse_summary(std::string_view text, std::filesystem::path const& file,
                      std::vector<Problem>& problems);

}  // namespace wb::book
