// Reference solution: LineParser, a self-referential future made safe to move. Its moves point
// the new parser's view into the new parser's own buffer, at the offset where the old view stood.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include <wb/core/future.hpp>

/// Splits its text into lines, one line per poll, and is Ready with all of them at the end.
class LineParser {
 public:
  using Output = std::vector<std::string>;

  explicit LineParser(std::string text) : buffer_(std::move(text)) {}

  // ANCHOR: repairing_move
  LineParser(LineParser&& other) noexcept { take_from(other); }
  LineParser& operator=(LineParser&& other) noexcept {
    if (this != &other) take_from(other);
    return *this;
  }
  // ANCHOR_END: repairing_move

  // ANCHOR: poll
  wb::Poll<Output> poll(wb::Context& cx) {
    if (!started_) {
      unparsed_ = buffer_;  // the self-reference is born here, at the first poll
      started_ = true;
    }
    if (!unparsed_.empty()) lines_.emplace_back(take_line(unparsed_));
    if (unparsed_.empty()) return std::move(lines_);
    cx.waker().wake_by_ref();  // more lines to go: ask to be polled again
    return wb::pending;
  }
  // ANCHOR_END: poll

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

  // ANCHOR: take_from
  void take_from(LineParser& other) noexcept {
    // Measure where the view stands while it still points into other's buffer: once the
    // buffer has moved, short text lives in this object and other's view points at nothing.
    std::size_t const offset =
        other.started_ ? static_cast<std::size_t>(other.unparsed_.data() - other.buffer_.data())
                       : 0;
    buffer_ = std::move(other.buffer_);
    lines_ = std::move(other.lines_);
    started_ = std::exchange(other.started_, false);
    unparsed_ = started_ ? std::string_view(buffer_).substr(offset) : std::string_view();
    other.unparsed_ = {};
  }
  // ANCHOR_END: take_from

  std::string buffer_;              // the text, owned by the parser
  std::string_view unparsed_;       // from the first poll on, a view INTO buffer_
  bool started_ = false;            // has the first poll made the view?
  std::vector<std::string> lines_;  // the lines taken so far
};
