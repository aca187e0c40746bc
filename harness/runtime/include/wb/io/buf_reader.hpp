// wb::BufReader<R> — adds a buffer to any AsyncRead, making it an AsyncBufRead: fill_buf reads
// up to `capacity` bytes at a time from the inner reader and hands them out until consumed, so
// many small reads (or a search for a newline) cost one read of the inner source.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "wb/core/contract.hpp"
#include "wb/io/async_buf_read.hpp"
#include "wb/io/async_read.hpp"

namespace wb {

template <AsyncRead R>
class BufReader {
 public:
  explicit BufReader(R inner, std::size_t capacity = 8192)
      : inner_(std::move(inner)), buffer_(capacity) {
    if (capacity == 0) throw ContractViolation("a BufReader needs a capacity of at least 1");
  }

  Poll<IoResult<std::string_view>> poll_fill_buf(Context& cx) {
    if (start_ == end_) {  // nothing buffered: read more
      auto read = inner_.poll_read(cx, std::span<char>(buffer_));
      if (read.is_pending()) return pending;
      auto count = std::move(read).value();
      if (!count) return IoResult<std::string_view>(unexpected(count.error()));
      start_ = 0;
      end_ = *count;
    }
    return IoResult<std::string_view>(std::string_view(buffer_.data() + start_, end_ - start_));
  }

  void consume(std::size_t used) {
    if (used > end_ - start_) throw ContractViolation("consume() of more than fill_buf gave");
    start_ += used;
  }

  Poll<IoResult<std::size_t>> poll_read(Context& cx, std::span<char> out) {
    if (start_ == end_ && out.size() >= buffer_.size()) {
      return inner_.poll_read(cx, out);  // a large read gains nothing from the buffer
    }
    auto filled = poll_fill_buf(cx);
    if (filled.is_pending()) return pending;
    auto data = std::move(filled).value();
    if (!data) return IoResult<std::size_t>(unexpected(data.error()));
    std::size_t const n = std::min(out.size(), data->size());
    if (n > 0) std::memcpy(out.data(), data->data(), n);
    consume(n);
    return IoResult<std::size_t>(n);
  }

  R& get_ref() noexcept { return inner_; }

 private:
  R inner_;
  std::vector<char> buffer_;
  std::size_t start_ = 0;  // buffer_[start_, end_) is buffered and not yet consumed
  std::size_t end_ = 0;
};

}  // namespace wb
