// Small text helpers the workbook's and the grader's output is made of: trimming, splitting into
// lines, wrapping a message to the terminal's width, and cutting long program output down to a
// readable excerpt.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace wb::text {

std::string_view trim(std::string_view text);
bool contains(std::string_view text, std::string_view part);
std::string to_lower(std::string_view text);
/// The lines of `text`, without their "\n" or "\r\n", as views into it.
std::vector<std::string_view> line_views(std::string_view text);
/// The same lines, copied.
std::vector<std::string> split_lines(std::string_view text);

/// `text` wrapped at `width` columns, every line starting with `indent`; existing line breaks are
/// kept and a word longer than a line is left whole.
std::string wrap(std::string_view text, std::size_t width, std::string_view indent);

/// Like wrap, with the first line indented by `first` and the lines it continues on by `rest`.
std::string wrap_hanging(std::string_view text, std::size_t width, std::string_view first,
                         std::string_view rest);

/// At most `max_lines` lines of `text` (each cut at `max_columns`), and how many lines were left
/// out.
struct Excerpt {
  std::vector<std::string> lines;
  std::size_t lines_left_out = 0;
};
Excerpt excerpt(std::string_view text, std::size_t max_lines, std::size_t max_columns = 200);

/// Removes terminal colour sequences (ESC [ … m) that compilers add to diagnostics.
std::string strip_ansi(std::string_view text);

/// The number of columns `text` takes in a terminal, counting each UTF-8 character as one.
std::size_t display_width(std::string_view text);

}  // namespace wb::text
