// wb::collect — a future that gathers every item of a stream into a container (a std::vector by
// default) and is Ready with it at the stream's end. It keeps everything in memory: to compute
// something from the items, fold keeps only the running result.
#pragma once

#include <iterator>
#include <optional>
#include <utility>
#include <vector>

#include "wb/core/contract.hpp"
#include "wb/stream/stream.hpp"

namespace wb {

template <Stream S, class Container>
class Collect {
 public:
  using Output = Container;

  explicit Collect(S stream) : stream_(std::move(stream)) {}

  Poll<Container> poll(Context& cx) {
    if (!items_) throw ContractViolation("a wb::collect was polled again after it returned Ready");
    for (;;) {
      auto next = stream_.poll_next(cx);
      if (next.is_pending()) return pending;
      auto item = std::move(next).value();
      if (!item) return *std::exchange(items_, std::nullopt);
      items_->insert(items_->end(), std::move(*item));
    }
  }

 private:
  S stream_;
  std::optional<Container> items_{std::in_place};
};

template <class Container = void, Stream S>
auto collect(S stream) {
  using Into = std::conditional_t<std::is_void_v<Container>, std::vector<item_of<S>>, Container>;
  return Collect<S, Into>(std::move(stream));
}

/// `stream | wb::collect()` (or wb::collect<std::deque<int>>())
template <class Container = void>
auto collect() {
  return stream_adaptor([]<Stream S>(S stream) { return collect<Container>(std::move(stream)); });
}

}  // namespace wb
