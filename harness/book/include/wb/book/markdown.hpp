// wb::book::render_markdown — one chapter's Markdown to HTML with md4c, adding what md4c leaves
// to its caller: heading ids with anchor links (mdBook's ids), links to .md pages turned into
// .html, ```mermaid blocks left for the diagram script, and what the link checker and the
// search index need (every link, every id, the text of each section).
#pragma once

#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace wb::book {

struct Heading {
  int level = 1;
  std::string id;    // without any prefix
  std::string text;  // plain text
};

/// The text under one heading (or above the first one), for the search index.
struct Section {
  std::string id;  // the heading's id; empty for the text above the first heading
  std::string title;
  std::string text;
};

struct RenderOptions {
  /// Put before every heading id (the print page holds every chapter, so ids must not clash).
  std::string id_prefix;
  /// Turns a link as written into the href to emit. Unset: internal links to X.md become X.html.
  std::function<std::string(std::string_view href)> rewrite_link;
};

struct RenderedMarkdown {
  std::string html;
  std::vector<Heading> headings;
  std::vector<std::string> links;  // every href and src as written, raw HTML's included
  std::set<std::string> ids;       // heading ids and id="" attributes in raw HTML
  std::vector<Section> sections;
  bool has_mermaid = false;
};

RenderedMarkdown render_markdown(std::string_view markdown, RenderOptions const& options = {});

/// True for links that leave the book: a scheme ("https:", "mailto:") or "//host".
bool is_external_link(std::string_view href);

/// "ch03.md#waker" -> "ch03.html#waker"; external links and other files are unchanged.
std::string md_link_to_html(std::string_view href);

}  // namespace wb::book
