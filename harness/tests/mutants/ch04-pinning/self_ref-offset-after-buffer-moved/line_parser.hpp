// Deliberately wrong: the view's offset is measured after the buffer has moved.
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

  LineParser(LineParser&& other) noexcept { take_from(other); }
  LineParser& operator=(LineParser&& other) noexcept {
    if (this != &other) take_from(other);
    return *this;
  }

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

  void take_from(LineParser& other) noexcept {
    buffer_ = std::move(other.buffer_);
    lines_ = std::move(other.lines_);
    started_ = std::exchange(other.started_, false);
    // other.buffer_ has moved already: this "offset" is measured against an empty string.
    unparsed_ = std::string_view(buffer_.data() + (other.unparsed_.data() - other.buffer_.data()),
                                 other.unparsed_.size());
    other.unparsed_ = {};
  }

  std::string buffer_;              // the text, owned by the parser
  std::string_view unparsed_;       // from the first poll on, a view INTO buffer_
  bool started_ = false;            // has the first poll made the view?
  std::vector<std::string> lines_;  // the lines taken so far
};
