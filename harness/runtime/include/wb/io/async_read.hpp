// wb::AsyncRead — the concept of a byte source read without blocking a thread (a socket, a pipe,
// a file through a thread pool, a buffer in memory). poll_read(cx, buffer) answers Ready(n) with
// n bytes written into buffer — 0 meaning the end of the data —, Ready(error), or Pending after
// arranging a wake-up for when bytes arrive. `co_await wb::read(reader, buffer)` does one read.
#pragma once

#include <concepts>
#include <cstddef>
#include <span>
#include <system_error>

#include "wb/core/expected.hpp"
#include "wb/core/future.hpp"

namespace wb {

/// The result of an I/O operation: a value, or the std::error_code of what went wrong.
template <class T>
using IoResult = Expected<T, std::error_code>;

// ANCHOR: async_read
template <class R>
concept AsyncRead = requires(R& reader, Context& cx, std::span<char> buffer) {
  { reader.poll_read(cx, buffer) } -> std::same_as<Poll<IoResult<std::size_t>>>;
};
// ANCHOR_END: async_read

/// The future of one read into `buffer`; reader and buffer must outlive it.
template <AsyncRead R>
class Read {
 public:
  using Output = IoResult<std::size_t>;
  Read(R& reader, std::span<char> buffer) noexcept : reader_(&reader), buffer_(buffer) {}
  Poll<Output> poll(Context& cx) { return reader_->poll_read(cx, buffer_); }

 private:
  R* reader_;
  std::span<char> buffer_;
};

template <AsyncRead R>
Read<R> read(R& reader, std::span<char> buffer) {
  return Read<R>(reader, buffer);
}

}  // namespace wb
