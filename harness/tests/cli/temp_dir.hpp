// A fresh folder under /tmp for one test (mkdtemp: unique even when test programs run at once),
// removed with everything in it when the test ends; and writing a file into a folder that may
// not exist yet.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

namespace wb::test {

struct TempDir {
  std::filesystem::path path;

  TempDir() {
    char pattern[] = "/tmp/wb-test-XXXXXX";
    path = ::mkdtemp(pattern);
  }
  TempDir(TempDir const&) = delete;
  TempDir& operator=(TempDir const&) = delete;
  ~TempDir() {
    std::error_code error;
    std::filesystem::remove_all(path, error);
  }
};

/// Writes `text` to `file`, making the folders it needs.
inline void write_file(std::filesystem::path const& file, std::string const& text) {
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

}  // namespace wb::test
