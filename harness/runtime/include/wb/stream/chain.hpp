// wb::chain — every item of the first stream, then every item of the second.
#pragma once

#include <optional>
#include <type_traits>
#include <utility>

#include "wb/stream/stream.hpp"

namespace wb {

template <Stream A, Stream B>
requires std::same_as<item_of<A>, item_of<B>>
class Chain {
 public:
  using Item = item_of<A>;

  Chain(A first, B second) : first_(std::move(first)), second_(std::move(second)) {}

  Poll<std::optional<Item>> poll_next(Context& cx) {
    if (!first_done_) {
      auto next = first_.poll_next(cx);
      if (next.is_pending()) return pending;
      auto item = std::move(next).value();
      if (item) return item;
      first_done_ = true;  // never polled again; on to the second in this same poll
    }
    return second_.poll_next(cx);
  }

 private:
  A first_;
  B second_;
  bool first_done_ = false;
};

template <Stream A, Stream B>
Chain<A, B> chain(A first, B second) {
  return Chain<A, B>(std::move(first), std::move(second));
}

/// `first | wb::chain(second)`
template <Stream B>
auto chain(B second) {
  return stream_adaptor([second = std::move(second)]<Stream A>(A first) mutable {
    return Chain<A, B>(std::move(first), std::move(second));
  });
}

}  // namespace wb
