#include "wb/book/summary.hpp"

#include <optional>

namespace wb::book {

namespace {

struct LinkLine {
  std::string title;
  std::string path;
};

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
    text.remove_suffix(1);
  return text;
}

// "[Title](path)" exactly, the title possibly holding brackets of its own.
std::optional<LinkLine> parse_link(std::string_view text) {
  text = trim(text);
  if (text.size() < 4 || text.front() != '[' || text.back() != ')') return std::nullopt;
  auto const middle = text.rfind("](");
  if (middle == std::string_view::npos || middle < 1) return std::nullopt;
  LinkLine link{std::string(text.substr(1, middle - 1)),
                std::string(trim(text.substr(middle + 2, text.size() - middle - 3)))};
  // mdBook allows <path> for paths with spaces.
  if (link.path.size() >= 2 && link.path.front() == '<' && link.path.back() == '>')
    link.path = link.path.substr(1, link.path.size() - 2);
  return link;
}

bool is_separator(std::string_view text) {
  text = trim(text);
  if (text.size() < 3) return false;
  for (char c : text)
    if (c != text.front()) return false;
  return text.front() == '-' || text.front() == '*' || text.front() == '_';
}

int indentation(std::string_view line) {
  int width = 0;
  for (char c : line) {
    if (c == ' ')
      ++width;
    else if (c == '\t')
      width += 4;
    else
      break;
  }
  return width;
}

}  // namespace

std::vector<TocEntry const*> Summary::pages() const {
  std::vector<TocEntry const*> pages;
  for (auto const& entry : entries)
    if (entry.is_chapter() && !entry.path.empty()) pages.push_back(&entry);
  return pages;
}

Summary parse_summary(std::string_view text, std::filesystem::path const& file,
                      std::vector<Problem>& problems) {
  Summary summary;
  bool numbered_seen = false;
  std::vector<int> indents;   // the indentation of each open nesting level
  std::vector<int> counters;  // the chapter number at each level
  bool in_comment = false;
  int line_number = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto const end = text.find('\n', pos);
    auto const raw =
        text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? text.size() + 1 : end + 1;
    ++line_number;
    auto const line = trim(raw);
    if (in_comment) {
      if (line.find("-->") != std::string_view::npos) in_comment = false;
      continue;
    }
    if (line.empty()) continue;
    if (line.substr(0, 4) == "<!--") {
      in_comment = line.find("-->") == std::string_view::npos;
      continue;
    }
    if (line.front() == '#') {
      auto const hashes = line.find_first_not_of('#');
      auto const title =
          std::string(trim(line.substr(hashes == std::string_view::npos ? line.size() : hashes)));
      if (summary.title.empty() && summary.entries.empty()) {
        summary.title = title;
      } else {
        summary.entries.push_back({TocEntry::Kind::part_title, title, "", "", 0, line_number});
        indents.clear();
      }
      continue;
    }
    if (is_separator(line)) {
      summary.entries.push_back({TocEntry::Kind::separator, "", "", "", 0, line_number});
      continue;
    }
    if ((line.front() == '-' || line.front() == '*') && line.size() > 1 && line[1] == ' ') {
      auto link = parse_link(line.substr(2));
      if (!link) {
        problems.push_back({file, line_number,
                            "a list item must be a link: - [Title](file.md), or - [Title]() "
                            "for a draft"});
        continue;
      }
      int const indent = indentation(raw);
      while (!indents.empty() && indent < indents.back()) indents.pop_back();
      if (indents.empty() || indent > indents.back()) indents.push_back(indent);
      auto const depth = indents.size() - 1;
      if (counters.size() < depth + 1) counters.resize(depth + 1, 0);
      counters.resize(depth + 1);
      ++counters[depth];
      std::string number;
      for (int n : counters) number += std::to_string(n) + ".";
      summary.entries.push_back({TocEntry::Kind::numbered, std::move(link->title),
                                 std::move(link->path), number, static_cast<int>(depth),
                                 line_number});
      numbered_seen = true;
      continue;
    }
    if (auto link = parse_link(line)) {
      if (link->path.empty()) {
        problems.push_back({file, line_number,
                            "only numbered chapters (list items) can be drafts; give this "
                            "prefix or suffix chapter a file"});
        continue;
      }
      summary.entries.push_back({numbered_seen ? TocEntry::Kind::suffix : TocEntry::Kind::prefix,
                                 std::move(link->title), std::move(link->path), "", 0,
                                 line_number});
      continue;
    }
    problems.push_back({file, line_number,
                        "SUMMARY.md holds only a # title, # part titles, [Title](file.md) "
                        "links, - [Title](file.md) list items and --- separators"});
  }
  return summary;
}

}  // namespace wb::book
