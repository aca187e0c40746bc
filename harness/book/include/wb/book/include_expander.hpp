// wb::book::expand_includes — mdBook's {{#include}} so the book shows real code that compiles:
//   {{#include path}}          the whole file
//   {{#include path:N}}        line N;  path::M lines 1..M;  path:N: from N on;  path:N:M
//   {{#include path:anchor}}   the lines between "ANCHOR: anchor" and "ANCHOR_END: anchor"
// Paths are relative to the file holding the directive. Lines holding any ANCHOR/ANCHOR_END
// marker are left out of what is included, and an anchored region loses the indentation its
// lines share. "\{{#include ...}}" stays as literal text.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "wb/book/problem.hpp"

namespace wb::book {

struct IncludeResult {
  std::string text;
  std::vector<std::filesystem::path> included;  // every file read, for rebuild-on-change
};

/// Expands every directive in `text`, the content of `file`. A missing file, a line range
/// past the end, or a missing anchor is a problem naming `file` and the directive's line; the
/// directive is then left in the text.
IncludeResult expand_includes(std::string_view text, std::filesystem::path const& file,
                              std::vector<Problem>& problems);

/// The lines of `source` between the markers of `anchor`, every marker line left out and the
/// indentation they all share removed; false when the anchor is not there.
bool take_anchor(std::string_view source, std::string_view anchor, std::string& out);

}  // namespace wb::book
