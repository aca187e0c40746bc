// wb::lines — the lines of an AsyncBufRead as a stream of IoResult<std::string>: each line
// without its "\n" (or "\r\n"), the last one even without a final newline. A line may arrive in
// many pieces; the piece read so far is kept across Pending polls. A read error, or a line longer
// than `max_length` bytes (IoErrc::line_too_long), is one last item, the error, and then the
// stream ends: memory stays bounded whatever the other side sends.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>

#include "wb/io/async_buf_read.hpp"
#include "wb/io/read_line.hpp"
#include "wb/stream/stream.hpp"

namespace wb {

// ANCHOR: lines
template <AsyncBufRead R>
class Lines {
 public:
  using Item = IoResult<std::string>;

  explicit Lines(R reader, std::size_t max_length = default_max_line_length)
      : reader_(std::move(reader)), max_length_(max_length) {}

  Poll<std::optional<Item>> poll_next(Context& cx) {
    if (ended_) return std::optional<Item>();
    auto read = detail::poll_read_line(reader_, cx, line_, 0, max_length_);
    if (read.is_pending()) return pending;  // line_ keeps the piece read so far
    auto count = std::move(read).value();
    if (!count) {
      ended_ = true;
      line_.clear();
      return std::optional<Item>(unexpected(count.error()));
    }
    if (*count == 0) {
      ended_ = true;
      return std::optional<Item>();
    }
    return std::optional<Item>(take_line());
  }
  // ANCHOR_END: lines

  R& reader() noexcept { return reader_; }

 private:
  std::string take_line() {
    if (!line_.empty() && line_.back() == '\n') line_.pop_back();
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    return std::exchange(line_, std::string());
  }

  R reader_;
  std::size_t max_length_;
  std::string line_;  // the line being put together
  bool ended_ = false;
};

template <AsyncBufRead R>
Lines<R> lines(R reader, std::size_t max_length = default_max_line_length) {
  return Lines<R>(std::move(reader), max_length);
}

}  // namespace wb
