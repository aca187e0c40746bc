// wb::book::search_index_script — the whole book's search index, built once at build time and
// loaded by every page as a script (file:// pages cannot fetch JSON). The index is in
// MiniSearch's serialised form (fields "title" and "body", terms split and lower-cased the way
// MiniSearch's default tokenizer does), so the browser loads it without indexing anything; the
// site's own fallback search reads the same data when MiniSearch is not there.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace wb::book {

struct SearchDocument {
  std::string url;          // "ch02-future-concept.html#the-waker-contract"
  std::string title;        // the section's heading
  std::string breadcrumbs;  // "The Future concept » The waker contract"
  std::string body;         // the section's text
};

/// Splits text into search terms as MiniSearch's default tokenizer does (on whitespace and
/// punctuation), lower-cased.
std::vector<std::string> search_terms(std::string_view text);

/// `window.wbSearchIndex = {...};` — MiniSearch's loadJS() input plus the options it needs.
std::string search_index_script(std::vector<SearchDocument> const& documents);

}  // namespace wb::book
