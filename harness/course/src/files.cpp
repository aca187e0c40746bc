#include "wb/course/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <system_error>

namespace wb::course {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(char const* what, fs::path const& file, int error) {
  throw fs::filesystem_error(what, file, std::error_code(error, std::generic_category()));
}

}  // namespace

std::optional<std::string> read_file(fs::path const& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

std::string read_text_file(fs::path const& file) { return read_file(file).value_or(""); }

void write_file(fs::path const& file, std::string_view content) {
  if (file.has_parent_path()) fs::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) fail("cannot write it", file, errno != 0 ? errno : EIO);
}

void write_file_atomically(fs::path const& file, std::string_view content) {
  auto const dir = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  std::string temp = (dir / ("." + file.filename().string() + ".XXXXXX")).string();
  int const fd = ::mkstemp(temp.data());
  if (fd < 0) fail("cannot write next to it", file, errno);
  struct stat old {};
  mode_t const mode = ::stat(file.c_str(), &old) == 0 ? (old.st_mode & 07777) : 0644;
  bool ok = true;
  while (ok && !content.empty()) {
    auto const n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) content.remove_prefix(static_cast<std::size_t>(n));
  }
  ok = ok && ::fchmod(fd, mode) == 0 && ::fsync(fd) == 0;
  int const saved = errno;
  ::close(fd);
  if (!ok || ::rename(temp.c_str(), file.c_str()) != 0) {
    int const error = ok ? errno : saved;
    ::unlink(temp.c_str());
    fail("cannot replace it", file, error);
  }
  // The rename is in the folder: flush the folder too, or a crash may forget it.
  if (int const dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

}  // namespace wb::course
