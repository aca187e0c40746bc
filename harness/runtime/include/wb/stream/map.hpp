// wb::map — a stream of f(item) for each item of another stream, as it comes.
#pragma once

#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "wb/stream/stream.hpp"

namespace wb {

// ANCHOR: map
template <Stream S, class F>
class Map {
 public:
  using Item = std::invoke_result_t<F&, item_of<S>>;

  Map(S stream, F f) : stream_(std::move(stream)), f_(std::move(f)) {}

  Poll<std::optional<Item>> poll_next(Context& cx) {
    auto next = stream_.poll_next(cx);
    if (next.is_pending()) return pending;  // the inner stream has arranged the wake-up
    auto item = std::move(next).value();
    if (!item) return std::optional<Item>();
    return std::optional<Item>(std::invoke(f_, std::move(*item)));
  }

 private:
  S stream_;
  F f_;
};

template <Stream S, class F>
Map<S, F> map(S stream, F f) {
  return Map<S, F>(std::move(stream), std::move(f));
}
// ANCHOR_END: map

/// `stream | wb::map(f)`
template <class F>
auto map(F f) {
  return stream_adaptor([f = std::move(f)]<Stream S>(S stream) mutable {
    return Map<S, F>(std::move(stream), std::move(f));
  });
}

}  // namespace wb
