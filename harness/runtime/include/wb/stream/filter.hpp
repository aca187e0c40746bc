// wb::filter — the items of a stream for which keep(item) is true; the others are dropped.
#pragma once

#include <functional>
#include <optional>
#include <utility>

#include "wb/stream/stream.hpp"

namespace wb {

template <Stream S, class Keep>
class Filter {
 public:
  using Item = item_of<S>;

  Filter(S stream, Keep keep) : stream_(std::move(stream)), keep_(std::move(keep)) {}

  Poll<std::optional<Item>> poll_next(Context& cx) {
    for (;;) {  // skip the rejected items that are ready now; Pending ends the poll
      auto next = stream_.poll_next(cx);
      if (next.is_pending()) return pending;
      auto item = std::move(next).value();
      if (!item || std::invoke(keep_, std::as_const(*item))) return item;
    }
  }

 private:
  S stream_;
  Keep keep_;
};

template <Stream S, class Keep>
Filter<S, Keep> filter(S stream, Keep keep) {
  return Filter<S, Keep>(std::move(stream), std::move(keep));
}

/// `stream | wb::filter(keep)`
template <class Keep>
auto filter(Keep keep) {
  return stream_adaptor([keep = std::move(keep)]<Stream S>(S stream) mutable {
    return Filter<S, Keep>(std::move(stream), std::move(keep));
  });
}

}  // namespace wb
