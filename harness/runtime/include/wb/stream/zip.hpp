// wb::zip — pairs of items, one from each of two streams, polled side by side; it ends when
// either stream ends. An item that arrives first waits for its partner.
#pragma once

#include <optional>
#include <utility>

#include "wb/stream/stream.hpp"

namespace wb {

template <Stream A, Stream B>
class Zip {
 public:
  using Item = std::pair<item_of<A>, item_of<B>>;

  Zip(A first, B second) : first_(std::move(first)), second_(std::move(second)) {}

  Poll<std::optional<Item>> poll_next(Context& cx) {
    if (ended_) return std::optional<Item>();
    // Both are polled at every poll, so both arrange wake-ups while either is Pending.
    if (!left_ && !take(first_, left_, cx)) return std::optional<Item>();
    if (!right_ && !take(second_, right_, cx)) return std::optional<Item>();
    if (!left_ || !right_) return pending;
    Item both(std::move(*left_), std::move(*right_));
    left_.reset();
    right_.reset();
    return std::optional<Item>(std::move(both));
  }

 private:
  // Polls `stream` into `slot`; false when it has ended (and so has the zip).
  template <class S, class T>
  bool take(S& stream, std::optional<T>& slot, Context& cx) {
    auto next = stream.poll_next(cx);
    if (next.is_pending()) return true;
    slot = std::move(next).value();
    if (!slot) ended_ = true;
    return !ended_;
  }

  A first_;
  B second_;
  std::optional<item_of<A>> left_;
  std::optional<item_of<B>> right_;
  bool ended_ = false;
};

template <Stream A, Stream B>
Zip<A, B> zip(A first, B second) {
  return Zip<A, B>(std::move(first), std::move(second));
}

/// `first | wb::zip(second)`
template <Stream B>
auto zip(B second) {
  return stream_adaptor([second = std::move(second)]<Stream A>(A first) mutable {
    return Zip<A, B>(std::move(first), std::move(second));
  });
}

}  // namespace wb
