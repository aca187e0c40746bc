#include "wb/text/text.hpp"

#include <algorithm>
#include <cctype>

namespace wb::text {

std::string_view trim(std::string_view text) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::vector<std::string_view> line_views(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t begin = 0;
  while (begin < text.size()) {
    auto end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    auto line = text.substr(begin, end - begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    begin = end + 1;
  }
  return lines;
}

std::vector<std::string> split_lines(std::string_view text) {
  auto const views = line_views(text);
  return {views.begin(), views.end()};
}

std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++width;  // count lead bytes, not continuation bytes
  }
  return width;
}

std::string wrap(std::string_view text, std::size_t width, std::string_view indent) {
  std::size_t const room = width > indent.size() + 20 ? width - indent.size() : 20;
  std::string out;
  for (auto const& paragraph : split_lines(text)) {
    // Keep a line's own leading spaces (aligned code, "with values:" lines) on its first row.
    std::size_t lead = 0;
    while (lead < paragraph.size() && paragraph[lead] == ' ') ++lead;
    std::string line(paragraph.substr(0, lead));
    std::size_t used = lead;
    std::string_view rest = std::string_view(paragraph).substr(lead);
    bool first_word = true;
    while (!rest.empty()) {
      auto space = rest.find(' ');
      auto word = rest.substr(0, space);
      rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
      if (word.empty()) continue;
      auto const word_width = display_width(word);
      if (!first_word && used + 1 + word_width > room) {
        out += indent;
        out += line;
        out += '\n';
        line.clear();
        used = 0;
        first_word = true;
      }
      if (!first_word) {
        line += ' ';
        ++used;
      }
      line += word;
      used += word_width;
      first_word = false;
    }
    out += indent;
    out += line;
    out += '\n';
  }
  return out;
}

std::string wrap_hanging(std::string_view text, std::size_t width, std::string_view first,
                         std::string_view rest) {
  auto body = wrap(text, width, rest);
  if (body.size() >= rest.size()) body.replace(0, rest.size(), first);
  return body;
}

Excerpt excerpt(std::string_view text, std::size_t max_lines, std::size_t max_columns) {
  Excerpt result;
  auto lines = split_lines(text);
  while (!lines.empty() && trim(lines.back()).empty()) lines.pop_back();
  for (auto& line : lines) {
    if (result.lines.size() == max_lines) {
      ++result.lines_left_out;
      continue;
    }
    if (line.size() > max_columns) line = line.substr(0, max_columns) + "…";
    result.lines.push_back(std::move(line));
  }
  return result;
}

std::string strip_ansi(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\x1b' && i + 1 < text.size() && text[i + 1] == '[') {
      i += 2;
      while (i < text.size() && !(text[i] >= '@' && text[i] <= '~')) ++i;
      continue;
    }
    out += text[i];
  }
  return out;
}

}  // namespace wb::text
