// wb::block_on — run one future to completion on the calling thread, sleeping while it is
// Pending and waking only when its waker fires. This is the executor the book builds in ch03.
#pragma once

#include <memory>
#include <utility>

#include "wb/core/future.hpp"
#include "wb/exec/parker.hpp"

namespace wb {

// ANCHOR: block_on
template <Future F>
output_of<F> block_on(F future) {
  auto parker = std::make_shared<Parker>();
  Waker waker = waker_from(parker);
  Context cx(waker);
  for (;;) {
    auto result = future.poll(cx);
    if (result.is_ready()) return std::move(result).value();
    parker->park();  // returns at once if the future woke itself during poll
  }
}
// ANCHOR_END: block_on

}  // namespace wb
