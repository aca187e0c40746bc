// wb::AddressCheck — a member a future embeds so that debug builds catch it being moved after
// its first poll (the C++ face of Rust's Pin). In release builds it is empty and costs nothing.
#pragma once

#include "wb/core/contract.hpp"

namespace wb {

class AddressCheck {
 public:
#ifndef NDEBUG
  /// Call at the top of poll() with `this` of the future that owns the check.
  void on_poll(void const* self) {
    if (polled_at_ != nullptr && polled_at_ != self) {
      throw ContractViolation(
          "a future was moved after its first poll: it was polled at one address and then at "
          "another. Once polled, a future must stay where it is (keep it in place, or behind a "
          "pointer that does not change).");
    }
    polled_at_ = self;
  }

 private:
  void const* polled_at_ = nullptr;
#else
  void on_poll(void const*) noexcept {}
#endif
};

}  // namespace wb
