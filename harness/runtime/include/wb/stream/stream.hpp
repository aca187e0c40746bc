// wb::Stream — the concept of an asynchronous sequence: a type that names its Item and answers
// poll_next(Context&) with Ready(item), Ready(nullopt) for the end, or Pending (having arranged
// a wake-up, as a future does). A stream is to a future what an iterator is to a single value.
// `co_await wb::next(stream)` inside a Task gives the next item (nullopt at the end), and
// adaptors chain with `|`:  wb::iter(v) | wb::map(f) | wb::take(3).
//
// The streams here are fused: once a stream has ended it keeps answering Ready(nullopt). Like a
// future, a stream stays where it is once polled; move it only before that.
#pragma once

#include <concepts>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "wb/core/future.hpp"

namespace wb {

// ANCHOR: stream_concept
template <class S>
concept Stream = requires(S& stream, Context& cx) {
  typename S::Item;
  { stream.poll_next(cx) } -> std::same_as<Poll<std::optional<typename S::Item>>>;
};
// ANCHOR_END: stream_concept

template <Stream S>
using item_of = typename S::Item;

// ANCHOR: next
/// The future of a stream's next item: `while (auto item = co_await wb::next(stream)) …`
/// The stream must outlive the future and stay where it is.
template <Stream S>
class Next {
 public:
  using Output = std::optional<item_of<S>>;
  explicit Next(S& stream) noexcept : stream_(&stream) {}
  Poll<Output> poll(Context& cx) { return stream_->poll_next(cx); }

 private:
  S* stream_;
};

template <Stream S>
Next<S> next(S& stream) {
  return Next<S>(stream);
}
// ANCHOR_END: next

/// What `wb::map(f)` and friends return when given no stream: something to apply with `|`.
template <class Fn>
struct StreamAdaptor {
  Fn apply;
};

template <class Fn>
StreamAdaptor<Fn> stream_adaptor(Fn apply) {
  return {std::move(apply)};
}

/// `stream | adaptor` is `adaptor(stream)`: wb::iter(v) | wb::map(f) is wb::map(wb::iter(v), f).
template <Stream S, class Fn>
requires std::invocable<Fn, S>
auto operator|(S stream, StreamAdaptor<Fn> adaptor) {
  return std::invoke(std::move(adaptor.apply), std::move(stream));
}

}  // namespace wb
