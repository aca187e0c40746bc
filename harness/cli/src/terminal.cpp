#include "wb/cli/terminal.hpp"

#include <fmt/core.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

namespace wb::cli {

Terminal Terminal::detect() {
  bool const tty = ::isatty(STDOUT_FILENO) == 1;
  char const* no_colour = std::getenv("NO_COLOR");
  char const* term = std::getenv("TERM");
  bool const colour = tty && (no_colour == nullptr || *no_colour == '\0') &&
                      !(term != nullptr && std::string_view(term) == "dumb");
  std::size_t width = 100;
  if (tty) {
    winsize size{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col >= 40) {
      width = std::min<std::size_t>(size.ws_col, 120);
    }
  }
  return Terminal(colour, tty, width);
}

std::string Terminal::paint(std::string_view code, std::string_view text) const {
  if (!colour_ || text.empty()) return std::string(text);
  return fmt::format("\x1b[{}m{}\x1b[0m", code, text);
}

void Terminal::status(std::string_view text) const {
  if (!interactive_) return;
  fmt::print("\r\x1b[2K{}", dim(text));
  std::fflush(stdout);
}

void Terminal::clear_status() const {
  if (!interactive_) return;
  fmt::print("\r\x1b[2K");
  std::fflush(stdout);
}

std::string progress_bar(long done, long total, std::size_t width) {
  std::size_t filled = 0;
  if (total > 0) {
    done = std::clamp(done, 0L, total);
    filled = static_cast<std::size_t>(done) * width / static_cast<std::size_t>(total);
  }
  std::string bar;
  for (std::size_t i = 0; i < width; ++i) bar += i < filled ? "█" : "░";
  return bar;
}

}  // namespace wb::cli
