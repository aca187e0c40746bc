// wb::copy — a future that moves everything an AsyncRead delivers into an AsyncWrite until the
// end of the data, then flushes the writer: Ready with the number of bytes copied, or with the
// first error of either side. An echo server is `co_await wb::copy(reader, writer)`. While the
// reader has nothing new, copy flushes what it wrote so far, so bytes never sit in a buffering
// writer waiting on input that may not come.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "wb/core/contract.hpp"
#include "wb/core/future.hpp"
#include "wb/io/async_read.hpp"
#include "wb/io/async_write.hpp"
#include "wb/io/io_error.hpp"

namespace wb {

template <AsyncRead R, AsyncWrite W>
class Copy {
 public:
  using Output = IoResult<std::uint64_t>;

  Copy(R& reader, W& writer, std::size_t buffer_size)
      : reader_(&reader), writer_(&writer), buffer_(buffer_size) {
    if (buffer_size == 0) throw ContractViolation("wb::copy needs a buffer of at least 1 byte");
  }

  // ANCHOR: copy
  Poll<Output> poll(Context& cx) {
    for (;;) {
      if (start_ == end_ && !at_end_) {
        auto read = reader_->poll_read(cx, std::span<char>(buffer_));
        if (read.is_pending()) return flush_while_waiting(cx);
        auto count = std::move(read).value();
        if (!count) return Output(unexpected(count.error()));
        start_ = 0;
        end_ = *count;
        at_end_ = *count == 0;
      }
      while (start_ < end_) {  // the reader's bytes, however many writes they take
        auto written =
            writer_->poll_write(cx, std::span<char const>(buffer_.data() + start_, end_ - start_));
        if (written.is_pending()) return pending;
        auto count = std::move(written).value();
        if (!count) return Output(unexpected(count.error()));
        if (*count == 0) return Output(unexpected(make_error_code(IoErrc::write_zero)));
        start_ += *count;
        copied_ += *count;
        unflushed_ = true;
      }
      if (at_end_) {
        auto flushed = writer_->poll_flush(cx);
        if (flushed.is_pending()) return pending;
        if (auto result = std::move(flushed).value(); !result) {
          return Output(unexpected(result.error()));
        }
        return Output(copied_);
      }
    }
  }
  // ANCHOR_END: copy

  /// Bytes written to the writer so far.
  std::uint64_t copied() const noexcept { return copied_; }

 private:
  /// The reader is Pending (its waker is registered): flush meanwhile, then wait.
  Poll<Output> flush_while_waiting(Context& cx) {
    if (unflushed_) {
      auto flushed = writer_->poll_flush(cx);
      if (flushed.is_ready()) {
        if (auto result = std::move(flushed).value(); !result) {
          return Output(unexpected(result.error()));
        }
        unflushed_ = false;
      }
    }
    return pending;
  }

  R* reader_;
  W* writer_;
  std::vector<char> buffer_;
  std::size_t start_ = 0;  // buffer_[start_, end_) is read and not yet written
  std::size_t end_ = 0;
  bool at_end_ = false;
  bool unflushed_ = false;  // written since the last flush
  std::uint64_t copied_ = 0;
};

/// Copies `reader` into `writer` until the end of the data; both must outlive the future.
template <AsyncRead R, AsyncWrite W>
Copy<R, W> copy(R& reader, W& writer, std::size_t buffer_size = 8192) {
  return Copy<R, W>(reader, writer, buffer_size);
}

}  // namespace wb
