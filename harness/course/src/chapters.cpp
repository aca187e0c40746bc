#include "wb/course/chapters.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include <system_error>

namespace wb::course {
namespace fs = std::filesystem;

std::string ChapterDir::short_slug() const {
  return slug.size() > 5 && slug[4] == '-' ? slug.substr(5) : slug;
}

namespace {

std::string lower_trimmed(std::string_view text) {
  std::string out;
  for (unsigned char c : text) out += static_cast<char>(std::tolower(c));
  auto const first = out.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  return out.substr(first, out.find_last_not_of(" \t\r\n") - first + 1);
}

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

ChapterDir ChapterDir::of_folder(fs::path const& dir) {
  ChapterDir chapter;
  chapter.dir = dir;
  chapter.slug = dir.filename().string();
  chapter.id = chapter.slug.substr(0, std::min<std::size_t>(4, chapter.slug.size()));
  if (chapter.id.size() == 4 && chapter.id.starts_with("ch") && all_digits(chapter.id.substr(2))) {
    chapter.number = std::stoi(chapter.id.substr(2));
  }
  return chapter;
}

std::vector<ChapterDir> find_chapters(fs::path const& chapters_root) {
  std::vector<ChapterDir> chapters;
  std::error_code error;
  for (auto const& entry : fs::directory_iterator(chapters_root, error)) {
    auto const name = entry.path().filename().string();
    // chNN or chNN-slug, NN being two digits
    if (name.size() < 4 || !name.starts_with("ch") || !all_digits(name.substr(2, 2))) continue;
    if (name.size() > 4 && name[4] != '-') continue;
    if (!fs::is_regular_file(entry.path() / "chapter.toml", error)) continue;
    chapters.push_back(ChapterDir::of_folder(entry.path()));
  }
  std::sort(chapters.begin(), chapters.end(),
            [](ChapterDir const& a, ChapterDir const& b) { return a.slug < b.slug; });
  return chapters;
}

std::optional<ChapterDir> resolve_chapter(std::vector<ChapterDir> const& chapters,
                                          std::string_view name) {
  auto const wanted = lower_trimmed(name);
  if (wanted.empty()) return std::nullopt;
  // "2", "02", "ch2", "ch02"
  std::string_view number = wanted;
  if (number.starts_with("ch")) number.remove_prefix(2);
  if (all_digits(number) && number.size() <= 3) {
    int const n = std::stoi(std::string(number));
    for (auto const& chapter : chapters) {
      if (chapter.number == n) return chapter;
    }
    return std::nullopt;
  }
  for (auto const& chapter : chapters) {
    if (lower_trimmed(chapter.slug) == wanted || lower_trimmed(chapter.short_slug()) == wanted)
      return chapter;
  }
  return std::nullopt;
}

}  // namespace wb::course
