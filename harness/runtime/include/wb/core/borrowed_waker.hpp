// wb::BorrowedWaker — a Waker that uses a reference its owner already holds instead of taking
// one of its own, for the waker an executor hands to poll(): polling then costs no reference
// counting. It is never destroyed (that would release a reference it does not own); a copy of
// it is an ordinary Waker with a reference of its own.
#pragma once

#include <cstddef>
#include <new>

#include "wb/core/waker.hpp"

namespace wb {

class BorrowedWaker {
 public:
  /// `raw` must stay valid (its reference held by someone else) while this object is in use.
  explicit BorrowedWaker(RawWaker raw) noexcept { ::new (static_cast<void*>(storage_)) Waker(raw); }
  BorrowedWaker(BorrowedWaker const&) = delete;
  BorrowedWaker& operator=(BorrowedWaker const&) = delete;

  Waker const& get() const noexcept {
    return *std::launder(reinterpret_cast<Waker const*>(storage_));
  }

 private:
  alignas(Waker) std::byte storage_[sizeof(Waker)];
};

}  // namespace wb
