// wb::signal::ShutdownTrigger — a one-way switch that tells every part of a program to shut
// down: trigger() flips it (from any thread, as often as you like), is_triggered() asks, and
// wait() is a future that is Ready once it has been flipped. Tests flip it directly instead of
// sending a signal; a program lets Ctrl-C flip it by spawning trigger_on_ctrl_c(trigger).
// Copies share one switch.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <utility>

#include "wb/core/future.hpp"
#include "wb/signal/ctrl_c.hpp"
#include "wb/sync/notify.hpp"

namespace wb::signal {

class ShutdownTrigger {
  struct State {
    std::atomic<bool> triggered{false};
    Notify notify;
  };

 public:
  ShutdownTrigger() : state_(std::make_shared<State>()) {}

  /// Flips the switch and wakes every wait() future.
  void trigger() {
    if (!state_->triggered.exchange(true, std::memory_order_acq_rel)) {
      state_->notify.notify_waiters();
    }
  }
  bool is_triggered() const noexcept { return state_->triggered.load(std::memory_order_acquire); }

  /// The future of wait(): Ready once the switch is flipped (at once if it already was).
  class Triggered {
   public:
    using Output = void;
    explicit Triggered(std::shared_ptr<State> state)
        : state_(std::move(state)), notified_(std::in_place, state_->notify.notified()) {}
    Triggered(Triggered&& other)
        : state_(other.state_), notified_(std::in_place, std::move(*other.notified_)) {}
    Triggered& operator=(Triggered&&) = delete;

    Poll<void> poll(Context& cx) {
      // The Notified future was made before this check: a trigger() after it wakes it.
      if (state_->triggered.load(std::memory_order_acquire)) return Poll<void>::ready();
      return notified_->poll(cx);
    }

   private:
    std::shared_ptr<State> state_;
    std::optional<Notify::Notified> notified_;
  };
  Triggered wait() const { return Triggered(state_); }

 private:
  std::shared_ptr<State> state_;
};

/// A future to spawn: waits for Ctrl-C, then flips `trigger`. Ready with ctrl_c()'s result.
class TriggerOnCtrlC {
 public:
  using Output = IoResult<void>;
  explicit TriggerOnCtrlC(ShutdownTrigger trigger) : trigger_(std::move(trigger)) {}
  Poll<Output> poll(Context& cx) {
    auto got = ctrl_c_.poll(cx);
    if (got.is_pending()) return pending;
    trigger_.trigger();
    return std::move(got).value();
  }

 private:
  ShutdownTrigger trigger_;
  CtrlC ctrl_c_;
};

inline TriggerOnCtrlC trigger_on_ctrl_c(ShutdownTrigger trigger) {
  return TriggerOnCtrlC(std::move(trigger));
}

}  // namespace wb::signal
