// Finding the chapters (chapters/chNN-slug/ folders holding a chapter.toml) and resolving what a
// learner types — "ch02", "2", "02", "ch02-future-concept" or "future-concept" — to one of them.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wb::course {

struct ChapterDir {
  std::string id;    // "ch02"
  int number = 0;    // 2
  std::string slug;  // "ch02-future-concept"
  std::filesystem::path dir;

  /// The slug without its "chNN-" prefix: "future-concept".
  std::string short_slug() const;

  /// The chapter a folder named chNN-slug (or chNN) is: its id, number and slug from the name.
  static ChapterDir of_folder(std::filesystem::path const& dir);
};

/// Every chapters/chNN-*/ folder with a chapter.toml, in chapter order.
std::vector<ChapterDir> find_chapters(std::filesystem::path const& chapters_root);

/// The chapter `name` means, or nothing when it matches none (or, for a partial slug, several).
std::optional<ChapterDir> resolve_chapter(std::vector<ChapterDir> const& chapters,
                                          std::string_view name);

}  // namespace wb::course
