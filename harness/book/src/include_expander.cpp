#include "wb/book/include_expander.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <optional>
#include <sstream>

#include "wb/course/files.hpp"
#include "wb/text/text.hpp"

namespace wb::book {
namespace fs = std::filesystem;

namespace {

constexpr int max_depth = 10;  // includes inside included files, as deep as mdBook goes

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// The anchor name a marker ("ANCHOR:" or "ANCHOR_END:") in this line carries, if any.
std::optional<std::string_view> marker_name(std::string_view line, std::string_view marker) {
  for (auto at = line.find(marker); at != std::string_view::npos; at = line.find(marker, at + 1)) {
    auto rest = line.substr(at + marker.size());
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
    std::size_t n = 0;
    while (n < rest.size() && is_name_char(rest[n])) ++n;
    if (n > 0) return rest.substr(0, n);
  }
  return std::nullopt;
}

bool is_marker(std::string_view line) {
  return marker_name(line, "ANCHOR:") || marker_name(line, "ANCHOR_END:");
}

std::optional<int> parse_number(std::string_view text) {
  int value = 0;
  auto const [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

struct Expander {
  std::vector<Problem>& problems;
  std::vector<fs::path> included;

  std::string expand(std::string_view text, fs::path const& file, int depth);
  // The text one directive stands for; nullopt (and a problem) when it cannot be had.
  std::optional<std::string> include(std::string_view argument, fs::path const& file, int line,
                                     int depth);
};

std::optional<std::string> Expander::include(std::string_view argument, fs::path const& file,
                                             int line, int depth) {
  auto const fail = [&](std::string message) -> std::optional<std::string> {
    problems.push_back({file, line, std::move(message)});
    return std::nullopt;
  };
  auto const colon = argument.find(':');
  auto const path_text = argument.substr(0, colon);
  auto const selector =
      colon == std::string_view::npos ? std::string_view{} : argument.substr(colon + 1);
  if (path_text.empty()) return fail("{{#include}} needs a file");
  auto const target = (file.parent_path() / path_text).lexically_normal();
  auto const source = fs::is_regular_file(target) ? course::read_file(target) : std::nullopt;
  if (!source) {
    return fail("{{#include " + std::string(argument) + "}}: no such file (looked for " +
                target.string() + ")");
  }
  included.push_back(target);

  auto const lines = wb::text::line_views(*source);
  std::string out;
  auto const keep = [&](std::size_t from, std::size_t to) {  // [from, to) of lines
    bool first = true;
    for (std::size_t i = from; i < to && i < lines.size(); ++i) {
      if (is_marker(lines[i])) continue;
      if (!first) out += '\n';
      out.append(lines[i]);
      first = false;
    }
  };

  if (selector.empty() && colon == std::string_view::npos) {
    keep(0, lines.size());
  } else {
    auto const second = selector.find(':');
    auto const first_part = selector.substr(0, second);
    auto const start = parse_number(first_part);
    if (!first_part.empty() && !start) {
      // Not a number: an anchor name.
      if (!take_anchor(*source, first_part, out)) {
        return fail("{{#include " + std::string(argument) +
                    "}}: the file has no \"ANCHOR: " + std::string(first_part) + "\" line");
      }
    } else {
      std::size_t from = start ? static_cast<std::size_t>(std::max(*start, 1) - 1) : 0;
      std::size_t to = lines.size();
      if (second == std::string_view::npos) {
        if (start) to = from + 1;  // path:N is line N alone
      } else if (auto const end_text = selector.substr(second + 1); !end_text.empty()) {
        auto const end = parse_number(end_text);
        if (!end) return fail("{{#include " + std::string(argument) + "}}: bad line range");
        to = static_cast<std::size_t>(std::max(*end, 0));
      }
      if (from >= lines.size() || to <= from) {
        return fail("{{#include " + std::string(argument) + "}}: the file has " +
                    std::to_string(lines.size()) + " lines, so that range is empty");
      }
      keep(from, to);
    }
  }
  if (depth + 1 >= max_depth) return fail("{{#include}} nested more than 10 deep");
  return expand(out, target, depth + 1);
}

std::string Expander::expand(std::string_view text, fs::path const& file, int depth) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  int line = 1;
  std::size_t counted = 0;  // text[0, counted) has been scanned for newlines
  while (true) {
    auto const open = text.find("{{#", pos);
    if (open == std::string_view::npos) break;
    for (; counted < open; ++counted)
      if (text[counted] == '\n') ++line;
    auto const close = text.find("}}", open);
    if (close == std::string_view::npos) break;
    auto directive = text.substr(open + 3, close - open - 3);
    bool const escaped = open > 0 && text[open - 1] == '\\';
    if (directive.substr(0, 7) != "include" || directive.find('\n') != std::string_view::npos ||
        (directive.size() > 7 && directive[7] != ' ' && directive[7] != '\t')) {
      out.append(text, pos, open + 3 - pos);
      pos = open + 3;
      continue;
    }
    if (escaped) {  // "\{{#include x}}" is shown as written, without the backslash
      out.append(text, pos, open - 1 - pos);
      out.append(text, open, close + 2 - open);
      pos = close + 2;
      continue;
    }
    auto argument = directive.substr(7);
    while (!argument.empty() && (argument.front() == ' ' || argument.front() == '\t'))
      argument.remove_prefix(1);
    while (!argument.empty() && (argument.back() == ' ' || argument.back() == '\t'))
      argument.remove_suffix(1);
    out.append(text, pos, open - pos);
    if (auto included_text = include(argument, file, line, depth)) {
      out += *included_text;
    } else {
      out.append(text, open, close + 2 - open);
    }
    pos = close + 2;
  }
  out.append(text, pos);
  return out;
}

}  // namespace

bool take_anchor(std::string_view source, std::string_view anchor, std::string& out) {
  bool found = false;
  std::vector<std::string_view> kept;
  for (auto const line : wb::text::line_views(source)) {
    if (!found) {
      found = marker_name(line, "ANCHOR:") == anchor;
      continue;
    }
    if (marker_name(line, "ANCHOR_END:") == anchor) break;
    if (!is_marker(line)) kept.push_back(line);
  }
  // A region cut from inside a class keeps its code but not the class's indentation (as
  // recent mdBook does): the whitespace common to every non-blank line is dropped.
  std::size_t common = std::string_view::npos;
  for (auto const line : kept) {
    auto const indent = line.find_first_not_of(" \t");
    if (indent != std::string_view::npos) common = std::min(common, indent);
  }
  if (common == std::string_view::npos) common = 0;
  for (std::size_t i = 0; i < kept.size(); ++i) {
    if (i > 0) out += '\n';
    out.append(kept[i].size() > common ? kept[i].substr(common) : std::string_view{});
  }
  return found;
}

IncludeResult expand_includes(std::string_view text, fs::path const& file,
                              std::vector<Problem>& problems) {
  Expander expander{problems, {}};
  auto expanded = expander.expand(text, file, 0);
  return {std::move(expanded), std::move(expander.included)};
}

}  // namespace wb::book
