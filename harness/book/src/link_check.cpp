#include "wb/book/link_check.hpp"

#include <map>

#include "wb/book/markdown.hpp"

namespace wb::book {
namespace fs = std::filesystem;

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  auto const hex = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

namespace {

int line_of(std::string const& source, std::string const& link) {
  auto const at = source.find("(" + link);
  auto const html_at = at == std::string::npos ? source.find("\"" + link + "\"") : at;
  if (html_at == std::string::npos) return 0;
  int line = 1;
  for (std::size_t i = 0; i < html_at; ++i)
    if (source[i] == '\n') ++line;
  return line;
}

}  // namespace

int check_links(std::vector<PageLinks> const& pages, fs::path const& source_dir,
                std::vector<Problem>& problems) {
  std::map<std::string, PageLinks const*> by_path;
  for (auto const& page : pages) by_path[page.path] = &page;
  int checked = 0;
  for (auto const& page : pages) {
    auto const dir = fs::path(page.path).parent_path();
    for (auto const& link : page.links) {
      if (link.empty() || is_external_link(link)) continue;
      ++checked;
      auto const fail = [&](std::string const& why) {
        problems.push_back({page.file, line_of(page.source, link), "link " + link + ": " + why});
      };
      auto const hash = link.find('#');
      auto const path_part = percent_decode(link.substr(0, std::min(hash, link.find('?'))));
      auto const fragment =
          hash == std::string::npos ? std::string{} : percent_decode(link.substr(hash + 1));
      PageLinks const* target = nullptr;
      if (path_part.empty()) {
        target = &page;
      } else {
        auto const resolved = (dir / path_part).lexically_normal().generic_string();
        if (resolved.substr(0, 2) == "..") {
          fail("points outside the book's source folder, so the site cannot have it");
          continue;
        }
        std::string as_page = resolved;
        if (as_page.size() > 5 && as_page.substr(as_page.size() - 5) == ".html") {
          as_page = as_page.substr(0, as_page.size() - 5) + ".md";
          if (resolved == "print.html" || resolved == "index.html" || resolved == "404.html") {
            continue;
          }
        }
        if (as_page.size() > 3 && as_page.substr(as_page.size() - 3) == ".md") {
          auto const found = by_path.find(as_page);
          if (found == by_path.end()) {
            fail(fs::exists(source_dir / as_page)
                     ? "that page is not in SUMMARY.md, so the book does not have it"
                     : "no such page in the book");
            continue;
          }
          target = found->second;
        } else {
          std::error_code error;
          if (!fs::exists(source_dir / resolved, error)) fail("no such file in the book");
          continue;
        }
      }
      if (!fragment.empty() && target->ids.count(fragment) == 0) {
        fail("no heading or id \"" + fragment + "\" in " + target->path);
      }
    }
  }
  return checked;
}

}  // namespace wb::book
