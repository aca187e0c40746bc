#include "wb/course/paths.hpp"

#include <cstdlib>
#include <system_error>

#ifndef WB_SOURCE_DIR
#define WB_SOURCE_DIR "."
#endif

namespace wb::course {
namespace fs = std::filesystem;

namespace {

fs::path from_env(char const* name) {
  char const* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return {};
  return fs::path(value);
}

fs::path this_binary_dir() {
  std::error_code error;
  auto self = fs::read_symlink("/proc/self/exe", error);
  if (error) return fs::current_path();
  return self.parent_path();
}

}  // namespace

Paths Paths::discover() {
  Paths paths;
  paths.root = from_env("WB_ROOT");
  if (paths.root.empty()) paths.root = WB_SOURCE_DIR;
  paths.build_dir = from_env("WB_BUILD_DIR");
  if (paths.build_dir.empty()) paths.build_dir = this_binary_dir();
  std::error_code error;
  if (auto canonical = fs::weakly_canonical(paths.root, error); !error) paths.root = canonical;
  if (auto canonical = fs::weakly_canonical(paths.build_dir, error); !error) {
    paths.build_dir = canonical;
  }
  return paths;
}

fs::path Paths::shown(fs::path const& path) const {
  auto relative = path.lexically_relative(root);
  if (relative.empty() || *relative.begin() == "..") return path;
  return relative;
}

}  // namespace wb::course
