// wb::write_all — a future that writes every byte of a buffer to an AsyncWrite. One poll_write
// may take only some of the bytes (a socket's send buffer was nearly full) or none yet (Pending);
// write_all keeps what is left and goes on at the next poll, and is Ready only when all of it is
// written, or with the first error. A writer that takes 0 bytes of a non-empty write can take no
// more, so that ends it with IoErrc::write_zero rather than looping forever.
#pragma once

#include <cstddef>
#include <span>

#include "wb/core/future.hpp"
#include "wb/io/async_write.hpp"
#include "wb/io/io_error.hpp"

namespace wb {

template <AsyncWrite W>
class WriteAll {
 public:
  using Output = IoResult<void>;
  WriteAll(W& writer, std::span<char const> bytes) noexcept : writer_(&writer), left_(bytes) {}

  // ANCHOR: write_all
  Poll<Output> poll(Context& cx) {
    while (!left_.empty()) {
      auto written = writer_->poll_write(cx, left_);
      if (written.is_pending()) return pending;  // left_ remembers where to go on from
      auto count = std::move(written).value();
      if (!count) return Output(unexpected(count.error()));
      if (*count == 0) return Output(unexpected(make_error_code(IoErrc::write_zero)));
      left_ = left_.subspan(*count);
    }
    return Output();
  }
  // ANCHOR_END: write_all

  /// The bytes not written yet.
  std::span<char const> left() const noexcept { return left_; }

 private:
  W* writer_;
  std::span<char const> left_;
};

/// Writes all of `bytes`; writer and bytes must outlive the future.
template <AsyncWrite W>
WriteAll<W> write_all(W& writer, std::span<char const> bytes) {
  return WriteAll<W>(writer, bytes);
}

}  // namespace wb
