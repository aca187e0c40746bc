// A folder of files made for one test and removed after it: the book's parts read real files.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace wb::book::testing {

class TempTree {
 public:
  TempTree() {
    std::string pattern = (std::filesystem::temp_directory_path() / "wb-book-test-XXXXXX").string();
    root_ = ::mkdtemp(pattern.data());
  }
  ~TempTree() {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }
  TempTree(TempTree const&) = delete;
  TempTree& operator=(TempTree const&) = delete;

  std::filesystem::path const& root() const { return root_; }
  std::filesystem::path operator/(std::string const& relative) const { return root_ / relative; }

  /// Writes `content` to `relative`, making its folders.
  std::filesystem::path write(std::string const& relative, std::string const& content) const {
    auto const path = root_ / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  std::string read(std::string const& relative) const {
    std::ifstream in(root_ / relative, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  std::filesystem::path root_;
};

}  // namespace wb::book::testing
