// The workbook's own book (book/) keeps to what mdBook documents — the SUMMARY.md structure and
// the {{#include}} forms — so that mdBook reads it as this site does. mdBook is not run here.
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "wb/testing/catch.hpp"

namespace fs = std::filesystem;

namespace {

fs::path const book_src = fs::path(WB_BOOK_DIR) / "src";

std::string read(fs::path const& file) {
  std::ifstream in(file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> lines_of(std::string const& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("the book's SUMMARY.md has only the kinds of line mdBook documents") {
  // https://rust-lang.github.io/mdBook/format/summary.html: a title, prefix and suffix chapters
  // (always with a file), part titles, separators, numbered chapters nested by indentation, and
  // draft chapters (an empty link).
  std::regex const title(R"(# \S.*)");
  std::regex const separator(R"(-{3,})");
  std::regex const affix_chapter(R"(\[[^\]]+\]\(([^)]+\.md)\))");
  std::regex const numbered_chapter(R"((?:  |    |\t)*[-*] \[[^\]]+\]\(([^)]*)\))");
  auto const lines = lines_of(read(book_src / "SUMMARY.md"));
  REQUIRE_FALSE(lines.empty());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto const& line = lines[i];
    INFO("SUMMARY.md:" << i + 1 << ": " << line);
    std::smatch match;
    if (line.empty() || std::regex_match(line, title) || std::regex_match(line, separator)) {
      continue;
    }
    bool const chapter = std::regex_match(line, match, affix_chapter) ||
                         std::regex_match(line, match, numbered_chapter);
    CHECK(chapter);
    if (chapter && match[1].length() > 0) {
      CHECK(match[1].str().ends_with(".md"));
      CHECK(fs::is_regular_file(book_src / match[1].str()));
    }
  }
  CHECK(lines.front() == "# Summary");
}

TEST_CASE("every directive in the book is one of mdBook's include forms naming a file there is") {
  // https://rust-lang.github.io/mdBook/format/mdbook.html: {{#include file}}, file:N, file:N:,
  // file::M, file:N:M and file:anchor. An escaped directive (\{{#…}}) is text, not a directive.
  std::regex const directive(R"(\{\{#[^}]*\}\})");
  std::regex const include(R"(\{\{#include ([^\s:}]+)(?::(?:[A-Za-z_][\w-]*|\d*(?::\d*)?))?\}\})");
  int directives = 0;
  for (auto const& entry : fs::recursive_directory_iterator(book_src)) {
    if (entry.path().extension() != ".md") continue;
    auto const text = read(entry.path());
    for (auto it = std::sregex_iterator(text.begin(), text.end(), directive);
         it != std::sregex_iterator(); ++it) {
      auto const at = static_cast<std::size_t>(it->position());
      if (at > 0 && text[at - 1] == '\\') continue;
      ++directives;
      auto const found = it->str();
      INFO(fs::relative(entry.path(), book_src).string() << ": " << found);
      std::smatch match;
      bool const is_include = std::regex_match(found, match, include);
      CHECK(is_include);
      if (is_include) CHECK(fs::is_regular_file(entry.path().parent_path() / match[1].str()));
    }
  }
  CHECK(directives > 0);
}
