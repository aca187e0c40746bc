// wb::cli::Terminal — how output looks where it goes: colours only on a terminal (and never when
// NO_COLOR is set), the width to wrap messages at, and a status line that is erased when done.
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

namespace wb::cli {

class Terminal {
 public:
  /// Looks at stdout: a TTY gets colours and its own width; anything else plain text, 100 columns.
  static Terminal detect();
  static Terminal plain(std::size_t width = 100) { return Terminal(false, false, width); }

  bool colour() const { return colour_; }
  bool interactive() const { return interactive_; }
  std::size_t width() const { return width_; }

  std::string green(std::string_view text) const { return paint("32", text); }
  std::string red(std::string_view text) const { return paint("31", text); }
  std::string yellow(std::string_view text) const { return paint("33", text); }
  std::string cyan(std::string_view text) const { return paint("36", text); }
  std::string dim(std::string_view text) const { return paint("2", text); }
  std::string bold(std::string_view text) const { return paint("1", text); }

  /// "building ch02_countdown…" on a terminal, replaced by whatever is printed next.
  void status(std::string_view text) const;
  void clear_status() const;

 private:
  Terminal(bool colour, bool interactive, std::size_t width)
      : colour_(colour), interactive_(interactive), width_(width) {}
  std::string paint(std::string_view code, std::string_view text) const;

  bool colour_;
  bool interactive_;
  std::size_t width_;
};

/// A bar of `width` cells, `done` of `total` filled: "███████░░░░░░░".
std::string progress_bar(long done, long total, std::size_t width);

}  // namespace wb::cli
