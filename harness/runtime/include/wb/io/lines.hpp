// wb::lines — the lines of an AsyncBufRead as a stream of IoResult<std::string>: each line
// without its "\n" (or "\r\n"), the last one even without a final newline. A line may arrive in
// many pieces; the piece read so far is kept across Pending polls. A read error is one last
// item, the error, and then the stream ends.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "wb/io/async_buf_read.hpp"
#include "wb/stream/stream.hpp"

namespace wb {

// ANCHOR: lines
template <AsyncBufRead R>
class Lines {
 public:
  using Item = IoResult<std::string>;

  explicit Lines(R reader) : reader_(std::move(reader)) {}

  Poll<std::optional<Item>> poll_next(Context& cx) {
    while (!ended_) {
      auto filled = reader_.poll_fill_buf(cx);
      if (filled.is_pending()) return pending;  // line_ keeps the piece read so far
      auto data = std::move(filled).value();
      if (!data) {
        ended_ = true;
        return std::optional<Item>(unexpected(data.error()));
      }
      std::string_view const bytes = *data;
      if (bytes.empty()) {  // the end: a last line without a newline still counts
        ended_ = true;
        if (line_.empty()) break;
        return std::optional<Item>(take_line());
      }
      auto const newline = bytes.find('\n');
      if (newline == std::string_view::npos) {  // no end of line yet: keep it all, read on
        line_.append(bytes);
        reader_.consume(bytes.size());
        continue;
      }
      line_.append(bytes.substr(0, newline));
      reader_.consume(newline + 1);
      return std::optional<Item>(take_line());
    }
    return std::optional<Item>();
  }
  // ANCHOR_END: lines

  R& reader() noexcept { return reader_; }

 private:
  std::string take_line() {
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    return std::exchange(line_, std::string());
  }

  R reader_;
  std::string line_;  // the line being put together
  bool ended_ = false;
};

template <AsyncBufRead R>
Lines<R> lines(R reader) {
  return Lines<R>(std::move(reader));
}

}  // namespace wb
