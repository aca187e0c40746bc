// wb::AsyncBufRead — an AsyncRead with a buffer of its own that can be looked into before taking
// from it: poll_fill_buf(cx) answers the bytes buffered now (reading more first if there are
// none; empty means the end of the data), and consume(n) says that the first n of them are used
// up. Looking for a newline without copying byte by byte needs exactly this, so lines() is
// written against it. `co_await wb::fill_buf(reader)` is one poll_fill_buf as a future.
#pragma once

#include <concepts>
#include <cstddef>
#include <string_view>

#include "wb/core/future.hpp"
#include "wb/io/async_read.hpp"

namespace wb {

// ANCHOR: async_buf_read
template <class R>
concept AsyncBufRead = AsyncRead<R> && requires(R& reader, Context& cx, std::size_t used) {
  { reader.poll_fill_buf(cx) } -> std::same_as<Poll<IoResult<std::string_view>>>;
  reader.consume(used);
};
// ANCHOR_END: async_buf_read

/// The future of poll_fill_buf: Ready with a view of the buffered bytes (valid until the next
/// consume or poll of the reader), empty at the end of the data.
template <AsyncBufRead R>
class FillBuf {
 public:
  using Output = IoResult<std::string_view>;
  explicit FillBuf(R& reader) noexcept : reader_(&reader) {}
  Poll<Output> poll(Context& cx) { return reader_->poll_fill_buf(cx); }

 private:
  R* reader_;
};

template <AsyncBufRead R>
FillBuf<R> fill_buf(R& reader) {
  return FillBuf<R>(reader);
}

}  // namespace wb
