// wb::buffer_unordered — from a stream of futures, a stream of their outputs with up to n of
// them running at once; outputs come in the order the futures finish. The usual way to say
// "fetch these URLs, ten at a time". The futures run inside this stream (they are polled when
// it is), not as spawned tasks: they may borrow, and they stop when the stream is dropped.
#pragma once

#include <cstddef>
#include <optional>
#include <utility>

#include "wb/combinator/futures_unordered.hpp"
#include "wb/core/contract.hpp"
#include "wb/stream/stream.hpp"

namespace wb {

// ANCHOR: buffer_unordered
template <Stream S>
requires Future<item_of<S>>
class BufferUnordered {
  using Fut = item_of<S>;

 public:
  using Item = value_of<Fut>;

  BufferUnordered(S stream, std::size_t limit) : stream_(std::move(stream)), limit_(limit) {
    if (limit == 0) throw ContractViolation("buffer_unordered needs a limit of at least 1");
  }

  Poll<std::optional<Item>> poll_next(Context& cx) {
    // Top up: take futures from the stream while fewer than limit_ are running.
    while (!stream_done_ && running_.size() < limit_) {
      auto next = stream_.poll_next(cx);
      if (next.is_pending()) break;
      auto future = std::move(next).value();
      if (!future) {
        stream_done_ = true;
        break;
      }
      running_.push(std::move(*future));
    }
    auto output = running_.poll_next(cx);
    if (output.is_pending()) return pending;
    auto value = std::move(output).value();
    if (value) return value;
    // Nothing running: the end if the stream has ended, else the stream has arranged a wake.
    if (stream_done_) return std::optional<Item>();
    return pending;
  }

 private:
  S stream_;
  std::size_t limit_;
  bool stream_done_ = false;
  FuturesUnordered<Fut> running_;
};
// ANCHOR_END: buffer_unordered

template <Stream S>
BufferUnordered<S> buffer_unordered(S stream, std::size_t limit) {
  return BufferUnordered<S>(std::move(stream), limit);
}

/// `stream_of_futures | wb::buffer_unordered(n)`
inline auto buffer_unordered(std::size_t limit) {
  return stream_adaptor(
      [limit]<Stream S>(S stream) { return BufferUnordered<S>(std::move(stream), limit); });
}

}  // namespace wb
