// wb::Context — what an executor hands to poll(): for now, the waker of the task being polled.
#pragma once

#include "wb/core/waker.hpp"

namespace wb {

class Context {
 public:
  explicit Context(Waker const& waker) noexcept : waker_(&waker) {}

  /// The waker to call when this future can make progress. It may differ between polls:
  /// keep the newest one.
  Waker const& waker() const noexcept { return *waker_; }

 private:
  Waker const* waker_;
};

}  // namespace wb
