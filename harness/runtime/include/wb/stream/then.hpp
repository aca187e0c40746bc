// wb::then — an asynchronous map: f(item) returns a future, and the stream's next item is that
// future's output. One future runs at a time, in order; buffered(n) runs several at once.
#pragma once

#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "wb/core/address_check.hpp"
#include "wb/stream/stream.hpp"

namespace wb {

template <Stream S, class F>
class Then {
  using Fut = std::invoke_result_t<F&, item_of<S>>;
  static_assert(Future<Fut>, "then's function must return a future (use map for plain values)");

 public:
  using Item = output_of<Fut>;

  Then(S stream, F f) : stream_(std::move(stream)), f_(std::move(f)) {}

  Poll<std::optional<Item>> poll_next(Context& cx) {
    check_.on_poll(this);
    if (!running_) {
      auto next = stream_.poll_next(cx);
      if (next.is_pending()) return pending;
      auto item = std::move(next).value();
      if (!item) return std::optional<Item>();
      running_.emplace(std::invoke(f_, std::move(*item)));
    }
    auto output = running_->poll(cx);
    if (output.is_pending()) return pending;
    running_.reset();
    return std::optional<Item>(std::move(output).value());
  }

 private:
  S stream_;
  F f_;
  std::optional<Fut> running_;
  [[no_unique_address]] AddressCheck check_;
};

template <Stream S, class F>
Then<S, F> then(S stream, F f) {
  return Then<S, F>(std::move(stream), std::move(f));
}

/// `stream | wb::then(f)`
template <class F>
auto then(F f) {
  return stream_adaptor([f = std::move(f)]<Stream S>(S stream) mutable {
    return Then<S, F>(std::move(stream), std::move(f));
  });
}

}  // namespace wb
