#include "wb/book/search_index.hpp"

#include <array>
#include <cstdio>
#include <map>
#include <set>

#include "wb/book/html.hpp"

namespace wb::book {

namespace {

char32_t decode(std::string_view text, std::size_t& i) {
  auto const lead = static_cast<unsigned char>(text[i++]);
  if (lead < 0x80) return lead;
  int extra = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : -1;
  if (extra < 0) return 0xFFFD;
  char32_t cp = lead & (0x3F >> extra);
  for (; extra > 0 && i < text.size(); --extra) cp = (cp << 6) | (text[i++] & 0x3F);
  return cp;
}

// JavaScript's /[\n\r\p{Z}\p{P}]/u for the characters a book uses.
bool is_separator(char32_t cp) {
  if (cp < 0x80) {
    if (cp <= ' ') return true;  // spaces and control characters, tabs included
    switch (cp) {
      case '!':
      case '"':
      case '#':
      case '%':
      case '&':
      case '\'':
      case '(':
      case ')':
      case '*':
      case ',':
      case '-':
      case '.':
      case '/':
      case ':':
      case ';':
      case '?':
      case '@':
      case '[':
      case '\\':
      case ']':
      case '_':
      case '{':
      case '}':
        return true;
      default:
        return false;
    }
  }
  switch (cp) {
    case 0xA0:
    case 0xA1:
    case 0xA7:
    case 0xAB:
    case 0xB6:
    case 0xB7:
    case 0xBB:
    case 0xBF:
    case 0x3000:
      return true;
    default:
      break;
  }
  return (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3001 && cp <= 0x303F) ||
         (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF01 && cp <= 0xFF0F);
}

char32_t lower(char32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return cp + 32;
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 32;
  return cp;
}

void append_number(std::string& out, double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  out += buffer;
}

}  // namespace

std::vector<std::string> search_terms(std::string_view text) {
  std::vector<std::string> terms;
  std::string term;
  std::size_t i = 0;
  while (i < text.size()) {
    char32_t const cp = decode(text, i);
    if (is_separator(cp)) {
      if (!term.empty()) terms.push_back(std::move(term));
      term.clear();
    } else {
      append_utf8(term, lower(cp));
    }
  }
  if (!term.empty()) terms.push_back(std::move(term));
  return terms;
}

std::string search_index_script(std::vector<SearchDocument> const& documents) {
  constexpr int field_count = 2;  // 0: title, 1: body
  // term -> field -> document -> count
  std::map<std::string, std::map<int, std::map<std::size_t, int>>> index;
  std::vector<std::array<std::size_t, field_count>> lengths;
  std::array<double, field_count> total_length{};
  for (std::size_t doc = 0; doc < documents.size(); ++doc) {
    std::array<std::string_view, field_count> const fields = {documents[doc].title,
                                                              documents[doc].body};
    std::array<std::size_t, field_count> length{};
    for (int field = 0; field < field_count; ++field) {
      auto const terms = search_terms(fields[static_cast<std::size_t>(field)]);
      // MiniSearch counts a field's length in distinct terms.
      length[static_cast<std::size_t>(field)] =
          std::set<std::string>(terms.begin(), terms.end()).size();
      total_length[static_cast<std::size_t>(field)] +=
          static_cast<double>(length[static_cast<std::size_t>(field)]);
      for (auto const& term : terms) ++index[term][field][doc];
    }
    lengths.push_back(length);
  }

  std::string out =
      "window.wbSearchIndex = {\"options\":{\"fields\":[\"title\",\"body\"],"
      "\"storeFields\":[\"title\",\"breadcrumbs\",\"url\",\"body\"]},\"index\":{";
  out += "\"documentCount\":" + std::to_string(documents.size());
  out += ",\"nextId\":" + std::to_string(documents.size());
  out += ",\"documentIds\":{";
  for (std::size_t doc = 0; doc < documents.size(); ++doc) {
    if (doc > 0) out += ',';
    out += "\"" + std::to_string(doc) + "\":\"";
    append_json_string(out, documents[doc].url);
    out += '"';
  }
  out += "},\"fieldIds\":{\"title\":0,\"body\":1},\"fieldLength\":{";
  for (std::size_t doc = 0; doc < documents.size(); ++doc) {
    if (doc > 0) out += ',';
    out += "\"" + std::to_string(doc) + "\":[" + std::to_string(lengths[doc][0]) + "," +
           std::to_string(lengths[doc][1]) + "]";
  }
  out += "},\"averageFieldLength\":[";
  for (int field = 0; field < field_count; ++field) {
    if (field > 0) out += ',';
    append_number(out, documents.empty() ? 0.0
                                         : total_length[static_cast<std::size_t>(field)] /
                                               static_cast<double>(documents.size()));
  }
  out += "],\"storedFields\":{";
  for (std::size_t doc = 0; doc < documents.size(); ++doc) {
    auto const& d = documents[doc];
    if (doc > 0) out += ',';
    out += "\"" + std::to_string(doc) + "\":{\"title\":\"";
    append_json_string(out, d.title);
    out += "\",\"breadcrumbs\":\"";
    append_json_string(out, d.breadcrumbs);
    out += "\",\"url\":\"";
    append_json_string(out, d.url);
    out += "\",\"body\":\"";
    append_json_string(out, d.body);
    out += "\"}";
  }
  out += "},\"dirtCount\":0,\"index\":[";
  bool first_term = true;
  for (auto const& [term, fields] : index) {
    if (!first_term) out += ',';
    first_term = false;
    out += "[\"";
    append_json_string(out, term);
    out += "\",{";
    bool first_field = true;
    for (auto const& [field, docs] : fields) {
      if (!first_field) out += ',';
      first_field = false;
      out += "\"" + std::to_string(field) + "\":{";
      bool first_doc = true;
      for (auto const& [doc, count] : docs) {
        if (!first_doc) out += ',';
        first_doc = false;
        out += "\"" + std::to_string(doc) + "\":" + std::to_string(count);
      }
      out += '}';
    }
    out += "}]";
  }
  out += "],\"serializationVersion\":2}};\n";
  return out;
}

}  // namespace wb::book
