// wb::BufWriter<W> — adds a buffer to any AsyncWrite, so that many small writes cost one write of
// the inner writer: a write is copied into the buffer while it fits, the buffer is written out
// when the next write would not fit, and a write as large as the buffer goes straight through.
// Bytes sit in the buffer until then, so poll_flush (or poll_shutdown) must be awaited to send
// them; a BufWriter destroyed with bytes still buffered loses them.
#pragma once

#include <cstddef>
#include <cstring>
#include <span>
#include <utility>
#include <vector>

#include "wb/core/contract.hpp"
#include "wb/io/async_read.hpp"
#include "wb/io/async_write.hpp"
#include "wb/io/io_error.hpp"

namespace wb {

template <AsyncWrite W>
class BufWriter {
 public:
  explicit BufWriter(W inner, std::size_t capacity = 8192)
      : inner_(std::move(inner)), capacity_(capacity) {
    if (capacity == 0) throw ContractViolation("a BufWriter needs a capacity of at least 1");
    buffer_.reserve(capacity);
  }

  // ANCHOR: buf_writer_write
  Poll<IoResult<std::size_t>> poll_write(Context& cx, std::span<char const> bytes) {
    if (buffer_.size() + bytes.size() > capacity_) {  // no room: empty the buffer first
      auto flushed = poll_flush_buffer(cx);
      if (flushed.is_pending()) return pending;
      if (auto result = std::move(flushed).value(); !result) {
        return IoResult<std::size_t>(unexpected(result.error()));
      }
    }
    if (bytes.size() >= capacity_) return inner_.poll_write(cx, bytes);  // too big to buffer
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
    return IoResult<std::size_t>(bytes.size());
  }
  // ANCHOR_END: buf_writer_write

  Poll<IoResult<void>> poll_flush(Context& cx) {
    auto flushed = poll_flush_buffer(cx);
    if (flushed.is_pending()) return pending;
    if (auto result = std::move(flushed).value(); !result) return result;
    return inner_.poll_flush(cx);
  }

  Poll<IoResult<void>> poll_shutdown(Context& cx) {
    auto flushed = poll_flush_buffer(cx);
    if (flushed.is_pending()) return pending;
    if (auto result = std::move(flushed).value(); !result) return result;
    return inner_.poll_shutdown(cx);
  }

  /// Reading passes straight through, so a buffered duplex stream can still be read.
  Poll<IoResult<std::size_t>> poll_read(Context& cx, std::span<char> buffer)
    requires AsyncRead<W>
  {
    return inner_.poll_read(cx, buffer);
  }

  /// The bytes written to this BufWriter and not yet to the inner writer.
  std::span<char const> buffer() const noexcept {
    return std::span<char const>(buffer_).subspan(written_);
  }
  std::size_t capacity() const noexcept { return capacity_; }
  W& get_ref() noexcept { return inner_; }

 private:
  /// Writes out the buffer, going on from where a Pending or partial write left it.
  Poll<IoResult<void>> poll_flush_buffer(Context& cx) {
    while (written_ < buffer_.size()) {
      auto written = inner_.poll_write(cx, buffer());
      if (written.is_pending()) return pending;
      auto count = std::move(written).value();
      if (!count) return IoResult<void>(unexpected(count.error()));
      if (*count == 0) return IoResult<void>(unexpected(make_error_code(IoErrc::write_zero)));
      written_ += *count;
    }
    buffer_.clear();
    written_ = 0;
    return IoResult<void>();
  }

  W inner_;
  std::size_t capacity_;
  std::vector<char> buffer_;  // buffer_[written_, size) is still to be written
  std::size_t written_ = 0;
};

}  // namespace wb
