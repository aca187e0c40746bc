// wb::for_each — a future that calls f(item) for every item of a stream and is Ready (with
// nothing) at its end. When f returns a future, it is awaited before the next item is taken.
#pragma once

#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "wb/core/address_check.hpp"
#include "wb/core/contract.hpp"
#include "wb/stream/stream.hpp"

namespace wb {

template <Stream S, class F>
class ForEach {
  using Returned = std::invoke_result_t<F&, item_of<S>>;
  static constexpr bool is_async = Future<Returned>;

 public:
  using Output = void;

  ForEach(S stream, F f) : stream_(std::move(stream)), f_(std::move(f)) {}

  Poll<void> poll(Context& cx) {
    check_.on_poll(this);
    if (done_) throw ContractViolation("a wb::for_each was polled again after it returned Ready");
    for (;;) {
      if constexpr (is_async) {
        if (running_) {
          if (running_->poll(cx).is_pending()) return pending;
          running_.reset();
        }
      }
      auto next = stream_.poll_next(cx);
      if (next.is_pending()) return pending;
      auto item = std::move(next).value();
      if (!item) {
        done_ = true;
        return Poll<void>::ready();
      }
      if constexpr (is_async) {
        running_.emplace(std::invoke(f_, std::move(*item)));
      } else {
        std::invoke(f_, std::move(*item));
      }
    }
  }

 private:
  struct Nothing {};
  S stream_;
  F f_;
  std::optional<std::conditional_t<is_async, Returned, Nothing>> running_;
  bool done_ = false;
  [[no_unique_address]] AddressCheck check_;
};

template <Stream S, class F>
ForEach<S, F> for_each(S stream, F f) {
  return ForEach<S, F>(std::move(stream), std::move(f));
}

/// `stream | wb::for_each(f)`
template <class F>
auto for_each(F f) {
  return stream_adaptor([f = std::move(f)]<Stream S>(S stream) mutable {
    return ForEach<S, F>(std::move(stream), std::move(f));
  });
}

}  // namespace wb
