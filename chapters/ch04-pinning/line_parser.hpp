// Exercise: make a self-referential future safe to keep. LineParser owns its text and, from its
// first poll on, a std::string_view into that text: a pointer into itself. A defaulted move
// would copy that view as it is, still pointing into the parser it was moved from. Choose one
// of two fixes: make LineParser immovable (delete both moves, as a pinned future), or write
// moves that point the new parser's view into its own buffer, at the same place.
// Read book/src/ch04-pinning.md, then replace each WB_TODO.
// Check your work with:  scripts/workbook check ch04
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include <wb/core/contract.hpp>
#include <wb/core/future.hpp>

// ANCHOR: line_parser
/// Splits its text into lines, one line per poll, and is Ready with all of them at the end.
class LineParser {
 public:
  using Output = std::vector<std::string>;

  explicit LineParser(std::string text) : buffer_(std::move(text)) {}

  LineParser(LineParser&& other) {
    (void)other;
    WB_TODO(
        "either `= delete` this constructor (a LineParser never moves), or move the parser "
        "so that the new one's view points into its own buffer, at the same offset");
  }
  LineParser& operator=(LineParser&& other) {
    (void)other;
    WB_TODO(
        "make the same choice as for the move constructor: `= delete`, or move and repair "
        "the view");
  }

  wb::Poll<Output> poll(wb::Context& cx) {
    (void)cx;
    WB_TODO(
        "on the first poll point unparsed_ at buffer_; then take one line per poll with "
        "take_line, waking yourself between lines, and return all the lines when none is "
        "left");
  }

  /// What is left to parse: a view into this parser's own buffer (empty before the first poll).
  std::string_view unparsed() const { return unparsed_; }
  std::string const& buffer() const { return buffer_; }

 private:
  /// Takes the first line off `text`: up to a '\n' (dropped) or to the end.
  static std::string_view take_line(std::string_view& text) {
    auto const end = text.find('\n');
    auto const line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    return line;
  }

  std::string buffer_;              // the text, owned by the parser
  std::string_view unparsed_;       // from the first poll on, a view INTO buffer_
  bool started_ = false;            // has the first poll made the view?
  std::vector<std::string> lines_;  // the lines taken so far
};
// ANCHOR_END: line_parser
