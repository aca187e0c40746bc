// wb::block_on_spin — the simplest executor: poll in a loop with a waker that does nothing.
// It is correct for any future and wasteful for all of them: it burns a core while it waits.
#pragma once

#include <thread>
#include <utility>

#include "wb/core/future.hpp"

namespace wb {

// ANCHOR: block_on_spin
template <Future F>
output_of<F> block_on_spin(F future) {
  Context cx(Waker::noop());
  for (;;) {
    auto result = future.poll(cx);
    if (result.is_ready()) return std::move(result).value();
    std::this_thread::yield();  // a real executor would sleep here until woken
  }
}
// ANCHOR_END: block_on_spin

}  // namespace wb
