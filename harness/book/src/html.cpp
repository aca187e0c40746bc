#include "wb/book/html.hpp"

#include <cstdint>
#include <stdexcept>

namespace wb::book {

void append_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
}

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_escaped(out, text);
  return out;
}

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  for (char c : text) {
    auto const byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '<':
        out += "\\u003c";
        break;  // never "</script>" inside a script
      default:
        if (byte < 0x20) {
          out += "\\u00";
          out += hex[byte >> 4];
          out += hex[byte & 0xf];
        } else {
          out += c;
        }
    }
  }
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string decode_entity(std::string_view entity) {
  if (entity.size() < 3 || entity.front() != '&' || entity.back() != ';')
    return std::string(entity);
  auto const name = entity.substr(1, entity.size() - 2);
  if (name[0] == '#') {
    char32_t cp = 0;
    bool const hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
    for (char c : name.substr(hex ? 2 : 1)) {
      int digit = -1;
      if (c >= '0' && c <= '9') digit = c - '0';
      if (hex && c >= 'a' && c <= 'f') digit = c - 'a' + 10;
      if (hex && c >= 'A' && c <= 'F') digit = c - 'A' + 10;
      if (digit < 0 || cp > 0x10FFFF) return std::string(entity);
      cp = cp * (hex ? 16 : 10) + static_cast<char32_t>(digit);
    }
    std::string out;
    append_utf8(out, cp == 0 ? 0xFFFD : cp);
    return out;
  }
  static const std::map<std::string_view, char32_t> named = {
      {"amp", '&'},       {"lt", '<'},       {"gt", '>'},       {"quot", '"'},
      {"apos", '\''},     {"nbsp", 0xA0},    {"mdash", 0x2014}, {"ndash", 0x2013},
      {"hellip", 0x2026}, {"rarr", 0x2192},  {"larr", 0x2190},  {"times", 0xD7},
      {"copy", 0xA9},     {"lsquo", 0x2018}, {"rsquo", 0x2019}, {"ldquo", 0x201C},
      {"rdquo", 0x201D},  {"laquo", 0xAB},   {"raquo", 0xBB},   {"middot", 0xB7}};
  auto const found = named.find(name);
  if (found == named.end()) return std::string(entity);
  std::string out;
  append_utf8(out, found->second);
  return out;
}

std::string fill_template(std::string_view page, std::map<std::string, std::string> const& values) {
  std::string out;
  out.reserve(page.size() * 2);
  std::size_t pos = 0;
  while (true) {
    auto const open = page.find("{{", pos);
    if (open == std::string_view::npos) break;
    auto const close = page.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    out.append(page, pos, open - pos);
    auto const name = std::string(page.substr(open + 2, close - open - 2));
    auto const found = values.find(name);
    if (found == values.end())
      throw std::out_of_range("the page template uses {{" + name + "}}, which has no value");
    out += found->second;
    pos = close + 2;
  }
  out.append(page, pos);
  return out;
}

namespace {

// Decodes one UTF-8 sequence at text[i], advancing i; malformed bytes decode to U+FFFD.
char32_t next_code_point(std::string_view text, std::size_t& i) {
  auto const lead = static_cast<unsigned char>(text[i++]);
  if (lead < 0x80) return lead;
  int extra = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : -1;
  if (extra < 0) return 0xFFFD;
  char32_t cp = lead & (0x3F >> extra);
  for (; extra > 0; --extra) {
    if (i >= text.size() || (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) return 0xFFFD;
    cp = (cp << 6) | (static_cast<unsigned char>(text[i++]) & 0x3F);
  }
  return cp;
}

// Letters and digits outside ASCII, roughly as Rust's char::is_alphanumeric sees them: the
// punctuation, symbol and space blocks are excluded, scripts are kept.
bool is_alphanumeric_beyond_ascii(char32_t cp) {
  if (cp < 0xC0) return cp == 0xAA || cp == 0xB5 || cp == 0xBA;
  if (cp == 0xD7 || cp == 0xF7) return false;
  if (cp >= 0x2000 && cp <= 0x2BFF) return false;  // punctuation, arrows, maths, shapes
  if (cp >= 0x3000 && cp <= 0x303F) return false;  // CJK punctuation
  if (cp >= 0xFE30 && cp <= 0xFE4F) return false;
  if (cp >= 0xFF00 && cp <= 0xFF0F) return false;
  if (cp >= 0x1F000 && cp <= 0x1FAFF) return false;  // emoji and pictographs
  return cp != 0xFFFD;
}

}  // namespace

std::string heading_id(std::string_view text) {
  // mdBook trims the text and any leading '#' before normalising.
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\n'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n'))
    text.remove_suffix(1);
  std::string id;
  std::size_t i = 0;
  while (i < text.size()) {
    char32_t const cp = next_code_point(text, i);
    if (cp < 0x80) {
      auto const c = static_cast<char>(cp);
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-') {
        id += c;
      } else if (c >= 'A' && c <= 'Z') {
        id += static_cast<char>(c - 'A' + 'a');
      } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        id += '-';
      }
    } else if (cp == 0xA0 || cp == 0x3000 || (cp >= 0x2000 && cp <= 0x200A)) {
      id += '-';
    } else if (is_alphanumeric_beyond_ascii(cp)) {
      append_utf8(id, cp);
    }
  }
  return id;
}

std::string UniqueIds::claim(std::string id) {
  if (id.empty()) id = "section";
  std::string candidate = id;
  int& count = counts_[id];
  if (count > 0) candidate = id + "-" + std::to_string(count);
  ++count;
  while (taken_.count(candidate) != 0) candidate = id + "-" + std::to_string(count++);
  taken_.insert(candidate);
  return candidate;
}

}  // namespace wb::book
