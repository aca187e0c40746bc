// wb::book::check_links — every internal link of the book must land: on a page of the book and,
// when it names one, on an id in that page; or on a file in the book's source folder. Links
// that leave the book (https:, mailto:) are not followed.
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "wb/book/problem.hpp"

namespace wb::book {

struct PageLinks {
  std::string path;                // relative to the source folder: "ch02-future-concept.md"
  std::filesystem::path file;      // for messages
  std::string source;              // the Markdown as written, to find a link's line
  std::vector<std::string> links;  // as written
  std::set<std::string> ids;       // what "#fragment" may name
};

/// Adds a problem for each link that does not resolve; returns how many links were checked.
int check_links(std::vector<PageLinks> const& pages, std::filesystem::path const& source_dir,
                std::vector<Problem>& problems);

/// "%20" and friends decoded.
std::string percent_decode(std::string_view text);

}  // namespace wb::book
