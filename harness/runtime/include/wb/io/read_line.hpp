// wb::read_line — a future that appends the next line of an AsyncBufRead to a string, its "\n"
// included, and is Ready with the number of bytes appended: 0 at the end of the data, and a last
// line without a "\n" still counts. A line may arrive in many pieces; each poll appends what has
// arrived and waits for the rest. A line longer than `max_length` bytes (its "\n" not counted)
// ends with IoErrc::line_too_long after at most `max_length` bytes were appended, so a peer that
// never sends a newline cannot make the string grow without limit.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "wb/core/future.hpp"
#include "wb/io/async_buf_read.hpp"
#include "wb/io/io_error.hpp"

namespace wb {

/// The longest line read_line and lines accept unless told otherwise: 64 KiB.
inline constexpr std::size_t default_max_line_length = 64 * 1024;

namespace detail {
// ANCHOR: read_line
/// One poll of reading a line into `line`, whose bytes from `start` on are this line's so far.
template <AsyncBufRead R>
Poll<IoResult<std::size_t>> poll_read_line(R& reader, Context& cx, std::string& line,
                                           std::size_t start, std::size_t max_length) {
  using Result = IoResult<std::size_t>;
  for (;;) {
    auto filled = reader.poll_fill_buf(cx);
    if (filled.is_pending()) return pending;  // the piece read so far stays in `line`
    auto data = std::move(filled).value();
    if (!data) return Result(unexpected(data.error()));
    std::string_view const bytes = *data;
    std::size_t const so_far = line.size() - start;
    if (bytes.empty()) return Result(so_far);  // the end: a last line without "\n", or 0
    auto const newline = bytes.find('\n');
    std::size_t const text = newline == std::string_view::npos ? bytes.size() : newline;
    if (text > max_length - so_far) {  // past the limit: take no more than it allows
      line.append(bytes.substr(0, max_length - so_far));
      reader.consume(max_length - so_far);
      return Result(unexpected(make_error_code(IoErrc::line_too_long)));
    }
    std::size_t const taken = newline == std::string_view::npos ? bytes.size() : newline + 1;
    line.append(bytes.substr(0, taken));
    reader.consume(taken);
    if (newline != std::string_view::npos) return Result(line.size() - start);
  }
}
// ANCHOR_END: read_line
}  // namespace detail

template <AsyncBufRead R>
class ReadLine {
 public:
  using Output = IoResult<std::size_t>;
  ReadLine(R& reader, std::string& line, std::size_t max_length) noexcept
      : reader_(&reader), line_(&line), start_(line.size()), max_length_(max_length) {}

  Poll<Output> poll(Context& cx) {
    return detail::poll_read_line(*reader_, cx, *line_, start_, max_length_);
  }

 private:
  R* reader_;
  std::string* line_;
  std::size_t start_;  // the size of *line_ before this line
  std::size_t max_length_;
};

/// Appends the next line (with its "\n") to `line`; reader and line must outlive the future.
template <AsyncBufRead R>
ReadLine<R> read_line(R& reader, std::string& line,
                      std::size_t max_length = default_max_line_length) {
  return ReadLine<R>(reader, line, max_length);
}

}  // namespace wb
