// wb::fold — a future that runs through a whole stream, combining each item into an accumulator
// (acc = f(acc, item)), and is Ready with the accumulator at the end. Items are dealt with as
// they arrive and then dropped: a fold over a million readings keeps one reading at a time.
#pragma once

#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "wb/core/contract.hpp"
#include "wb/stream/stream.hpp"

namespace wb {

// ANCHOR: fold
template <Stream S, class Acc, class F>
requires std::is_invocable_r_v<Acc, F&, Acc, item_of<S>>
class Fold {
 public:
  using Output = Acc;

  Fold(S stream, Acc initial, F f)
      : stream_(std::move(stream)), acc_(std::move(initial)), f_(std::move(f)) {}

  Poll<Acc> poll(Context& cx) {
    if (!acc_) throw ContractViolation("a wb::fold was polled again after it returned Ready");
    for (;;) {
      auto next = stream_.poll_next(cx);
      if (next.is_pending()) return pending;  // the stream will wake us
      auto item = std::move(next).value();
      if (!item) return *std::exchange(acc_, std::nullopt);  // the end: hand the result over
      acc_.emplace(std::invoke(f_, std::move(*acc_), std::move(*item)));
    }
  }

 private:
  S stream_;
  std::optional<Acc> acc_;  // empty once handed over
  F f_;
};

template <Stream S, class Acc, class F>
Fold<S, Acc, F> fold(S stream, Acc initial, F f) {
  return Fold<S, Acc, F>(std::move(stream), std::move(initial), std::move(f));
}
// ANCHOR_END: fold

/// `stream | wb::fold(initial, f)`
template <class Acc, class F>
auto fold(Acc initial, F f) {
  return stream_adaptor(
      [initial = std::move(initial), f = std::move(f)]<Stream S>(S stream) mutable {
        return Fold<S, Acc, F>(std::move(stream), std::move(initial), std::move(f));
      });
}

}  // namespace wb
