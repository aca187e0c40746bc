// wb::Clock — where a runtime reads the time: the real steady clock, or a virtual one that is
// paused and moves only when the timer driver jumps it to the next deadline. With virtual time
// an hour of timeouts runs in microseconds, and the same way on every run.
#pragma once

#include <atomic>
#include <chrono>

#include "wb/core/contract.hpp"

namespace wb {

/// Both kinds of clock speak steady_clock time points, so code never asks which one it has.
using Instant = std::chrono::steady_clock::time_point;
using Duration = std::chrono::steady_clock::duration;

class Clock {
 public:
  enum class Kind {
    real,    // std::chrono::steady_clock
    paused,  // virtual: starts at Instant{} and moves only when advanced
  };

  explicit Clock(Kind kind = Kind::real) noexcept : kind_(kind) {}
  Clock(Clock const&) = delete;
  Clock& operator=(Clock const&) = delete;

  Kind kind() const noexcept { return kind_; }
  bool is_virtual() const noexcept { return kind_ == Kind::paused; }

  Instant now() const noexcept {
    if (!is_virtual()) return std::chrono::steady_clock::now();
    return Instant(Duration(virtual_now_.load(std::memory_order_acquire)));
  }

  /// Moves virtual time forward to `when` (never backwards). Only the timer driver and tests
  /// call this: everything else waits for time to pass.
  void advance_to(Instant when) {
    if (!is_virtual()) throw ContractViolation("only a virtual clock can be advanced by hand");
    auto target = when.time_since_epoch().count();
    auto current = virtual_now_.load(std::memory_order_relaxed);
    while (current < target &&
           !virtual_now_.compare_exchange_weak(current, target, std::memory_order_acq_rel)) {
    }
  }
  void advance(Duration by) { advance_to(now() + by); }

 private:
  Kind kind_;
  std::atomic<Duration::rep> virtual_now_{0};
};

}  // namespace wb
