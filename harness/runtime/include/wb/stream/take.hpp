// wb::take — the first n items of a stream, then the end. The inner stream is not polled again
// once n items have come out, so an endless stream may be taken from.
#pragma once

#include <cstddef>
#include <optional>
#include <utility>

#include "wb/stream/stream.hpp"

namespace wb {

template <Stream S>
class Take {
 public:
  using Item = item_of<S>;

  Take(S stream, std::size_t count) : stream_(std::move(stream)), left_(count) {}

  Poll<std::optional<Item>> poll_next(Context& cx) {
    if (left_ == 0) return std::optional<Item>();
    auto next = stream_.poll_next(cx);
    if (next.is_pending()) return pending;
    auto item = std::move(next).value();
    left_ = item ? left_ - 1 : 0;
    return item;
  }

 private:
  S stream_;
  std::size_t left_;
};

template <Stream S>
Take<S> take(S stream, std::size_t count) {
  return Take<S>(std::move(stream), count);
}

/// `stream | wb::take(n)`
inline auto take(std::size_t count) {
  return stream_adaptor([count]<Stream S>(S stream) { return Take<S>(std::move(stream), count); });
}

}  // namespace wb
