// wb::buffered — from a stream of futures, a stream of their outputs with up to n of them
// running at once, in the order the futures came (not the order they finish). An output that is
// ready early waits for those before it, and counts towards the n meanwhile.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>
#include <variant>

#include "wb/combinator/futures_unordered.hpp"
#include "wb/core/contract.hpp"
#include "wb/stream/stream.hpp"

namespace wb {

namespace detail {
/// A future tagged with its place in line, so its output can be put back in order.
template <Future F>
class InLine {
 public:
  using Output = std::pair<std::uint64_t, value_of<F>>;
  InLine(std::uint64_t place, F future) : place_(place), future_(std::move(future)) {}
  Poll<Output> poll(Context& cx) {
    auto output = future_.poll(cx);
    if (output.is_pending()) return pending;
    if constexpr (std::is_void_v<output_of<F>>) {
      return Output(place_, std::monostate{});
    } else {
      return Output(place_, std::move(output).value());
    }
  }

 private:
  std::uint64_t place_;
  F future_;
};
}  // namespace detail

template <Stream S>
requires Future<item_of<S>>
class Buffered {
  using Fut = item_of<S>;

 public:
  using Item = value_of<Fut>;

  Buffered(S stream, std::size_t limit) : stream_(std::move(stream)), limit_(limit) {
    if (limit == 0) throw ContractViolation("buffered needs a limit of at least 1");
  }

  Poll<std::optional<Item>> poll_next(Context& cx) {
    while (!stream_done_ && next_in_ - next_out_ < limit_) {
      auto next = stream_.poll_next(cx);
      if (next.is_pending()) break;
      auto future = std::move(next).value();
      if (!future) {
        stream_done_ = true;
        break;
      }
      running_.push(detail::InLine<Fut>(next_in_++, std::move(*future)));
      finished_.emplace_back();  // its slot, filled when it finishes
    }
    for (;;) {
      if (!finished_.empty() && finished_.front()) {  // the next in line is here: hand it out
        std::optional<Item> item(std::move(*finished_.front()));
        finished_.pop_front();
        ++next_out_;
        return item;
      }
      auto output = running_.poll_next(cx);
      if (output.is_pending()) return pending;
      auto done = std::move(output).value();
      if (!done) return stream_done_ ? Poll<std::optional<Item>>(std::optional<Item>()) : pending;
      finished_[done->first - next_out_].emplace(std::move(done->second));
    }
  }

 private:
  S stream_;
  std::size_t limit_;
  bool stream_done_ = false;
  std::uint64_t next_in_ = 0;   // the place of the next future taken from the stream
  std::uint64_t next_out_ = 0;  // the place of the next output to hand out
  FuturesUnordered<detail::InLine<Fut>> running_;
  std::deque<std::optional<Item>> finished_;  // slot i holds the output of place next_out_ + i
};

template <Stream S>
Buffered<S> buffered(S stream, std::size_t limit) {
  return Buffered<S>(std::move(stream), limit);
}

/// `stream_of_futures | wb::buffered(n)`
inline auto buffered(std::size_t limit) {
  return stream_adaptor(
      [limit]<Stream S>(S stream) { return Buffered<S>(std::move(stream), limit); });
}

}  // namespace wb
