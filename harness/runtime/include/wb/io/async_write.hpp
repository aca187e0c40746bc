// wb::AsyncWrite — the concept of a byte sink written without blocking a thread (a socket, a
// pipe, a buffer in memory). poll_write(cx, bytes) answers Ready(n) with the first n bytes taken —
// possibly fewer than offered: the caller writes the rest later —, Ready(error), or Pending after
// arranging a wake-up for when there is room. poll_flush pushes out whatever the writer buffers;
// poll_shutdown flushes and closes the writing side, so the reader at the other end sees the end
// of the data. `co_await wb::write(writer, bytes)` does one write (see write_all for all of it).
#pragma once

#include <concepts>
#include <cstddef>
#include <span>

#include "wb/core/future.hpp"
#include "wb/io/async_read.hpp"

namespace wb {

// ANCHOR: async_write
template <class W>
concept AsyncWrite = requires(W& writer, Context& cx, std::span<char const> bytes) {
  { writer.poll_write(cx, bytes) } -> std::same_as<Poll<IoResult<std::size_t>>>;
  { writer.poll_flush(cx) } -> std::same_as<Poll<IoResult<void>>>;
  { writer.poll_shutdown(cx) } -> std::same_as<Poll<IoResult<void>>>;
};
// ANCHOR_END: async_write

/// The future of one write of `bytes` (some of them, maybe); writer and bytes must outlive it.
template <AsyncWrite W>
class Write {
 public:
  using Output = IoResult<std::size_t>;
  Write(W& writer, std::span<char const> bytes) noexcept : writer_(&writer), bytes_(bytes) {}
  Poll<Output> poll(Context& cx) { return writer_->poll_write(cx, bytes_); }

 private:
  W* writer_;
  std::span<char const> bytes_;
};

template <AsyncWrite W>
Write<W> write(W& writer, std::span<char const> bytes) {
  return Write<W>(writer, bytes);
}

/// The future of poll_flush: Ready once everything written so far has left the writer.
template <AsyncWrite W>
class Flush {
 public:
  using Output = IoResult<void>;
  explicit Flush(W& writer) noexcept : writer_(&writer) {}
  Poll<Output> poll(Context& cx) { return writer_->poll_flush(cx); }

 private:
  W* writer_;
};

template <AsyncWrite W>
Flush<W> flush(W& writer) {
  return Flush<W>(writer);
}

/// The future of poll_shutdown: Ready once the writer is flushed and its writing side closed.
template <AsyncWrite W>
class Shutdown {
 public:
  using Output = IoResult<void>;
  explicit Shutdown(W& writer) noexcept : writer_(&writer) {}
  Poll<Output> poll(Context& cx) { return writer_->poll_shutdown(cx); }

 private:
  W* writer_;
};

template <AsyncWrite W>
Shutdown<W> shutdown(W& writer) {
  return Shutdown<W>(writer);
}

}  // namespace wb
