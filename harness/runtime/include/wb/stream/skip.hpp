// wb::skip — a stream without its first n items.
#pragma once

#include <cstddef>
#include <optional>
#include <utility>

#include "wb/stream/stream.hpp"

namespace wb {

template <Stream S>
class Skip {
 public:
  using Item = item_of<S>;

  Skip(S stream, std::size_t count) : stream_(std::move(stream)), left_(count) {}

  Poll<std::optional<Item>> poll_next(Context& cx) {
    for (;;) {
      auto next = stream_.poll_next(cx);
      if (next.is_pending()) return pending;
      auto item = std::move(next).value();
      if (!item || left_ == 0) return item;
      --left_;  // dropped; look at the next one in the same poll
    }
  }

 private:
  S stream_;
  std::size_t left_;
};

template <Stream S>
Skip<S> skip(S stream, std::size_t count) {
  return Skip<S>(std::move(stream), count);
}

/// `stream | wb::skip(n)`
inline auto skip(std::size_t count) {
  return stream_adaptor([count]<Stream S>(S stream) { return Skip<S>(std::move(stream), count); });
}

}  // namespace wb
