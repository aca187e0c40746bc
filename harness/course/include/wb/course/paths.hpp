// wb::course::Paths — where the workbook finds things: the repository (baked in at build time,
// overridden by $WB_ROOT) and the build tree (the folder the workbook binary lives in).
#pragma once

#include <filesystem>

namespace wb::course {

struct Paths {
  std::filesystem::path root;       // the repository: chapters/, solutions/, harness/
  std::filesystem::path build_dir;  // build/<preset>: build.ninja and the test programs

  /// The repository from $WB_ROOT or the source tree this binary was built from; the build tree
  /// from $WB_BUILD_DIR or the folder holding this binary.
  static Paths discover();

  std::filesystem::path chapters_dir() const { return root / "chapters"; }
  std::filesystem::path solutions_dir() const { return root / "solutions"; }
  std::filesystem::path mutants_dir() const { return root / "harness" / "tests" / "mutants"; }
  std::filesystem::path state_dir() const { return root / ".workbook"; }
  std::filesystem::path progress_file() const { return state_dir() / "progress.toml"; }
  std::filesystem::path backups_dir() const { return state_dir() / "backups"; }
  std::filesystem::path logs_dir() const { return build_dir / "logs"; }
  /// Where a chapter's test programs land: build/<preset>/chapters/chNN/.
  std::filesystem::path programs_dir(std::string const& chapter_id) const {
    return build_dir / "chapters" / chapter_id;
  }

  /// `path` relative to the repository when it lies inside it (for messages), else unchanged.
  std::filesystem::path shown(std::filesystem::path const& path) const;
};

}  // namespace wb::course
