// Small text helpers for writing HTML and JSON by hand: escaping, entity decoding, the page
// template's {{name}} placeholders, and the heading ids mdBook gives (so links work in both).
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>

namespace wb::book {

/// Appends `text` with & < > " escaped, for element content and double-quoted attributes.
void append_escaped(std::string& out, std::string_view text);
std::string escape_html(std::string_view text);

/// Appends `text` as the inside of a JSON string literal (no quotes).
void append_json_string(std::string& out, std::string_view text);

/// Decodes an HTML entity such as "&amp;", "&#39;" or "&#x2014;" to UTF-8; unknown names are
/// returned unchanged.
std::string decode_entity(std::string_view entity);

/// Appends the UTF-8 encoding of a code point.
void append_utf8(std::string& out, char32_t code_point);

/// Replaces every {{name}} in `page` by values[name]. Throws std::out_of_range naming a
/// placeholder that has no value, so a typo in the template is found at once.
std::string fill_template(std::string_view page, std::map<std::string, std::string> const& values);

/// The id mdBook gives a heading with this text: lower-case letters and digits, '-' and '_'
/// kept, whitespace turned into '-', everything else dropped.
std::string heading_id(std::string_view text);

/// Hands out ids unique within one page: "intro", then "intro-1", "intro-2" (as mdBook does).
class UniqueIds {
 public:
  std::string claim(std::string id);
  bool contains(std::string const& id) const { return taken_.count(id) != 0; }

 private:
  std::map<std::string, int> counts_;
  std::set<std::string> taken_;
};

}  // namespace wb::book
