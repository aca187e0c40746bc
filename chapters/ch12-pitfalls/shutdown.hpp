// ShutdownSignal — a flag that, once triggered, stays triggered, and a future that waits for it
// (given, not an exercise). Every wait() made before or after trigger() sees it, so a loop may
// make a fresh one at every turn.
#pragma once

#include <atomic>
#include <optional>
#include <wb/core/future.hpp>
#include <wb/sync/notify.hpp>

class ShutdownSignal {
 public:
  /// Asks every loop waiting on this signal to stop. Any thread may call it.
  void trigger() {
    triggered_.store(true, std::memory_order_release);
    notify_.notify_waiters();
  }
  bool triggered() const noexcept { return triggered_.load(std::memory_order_acquire); }

  /// Ready once trigger() has been called (at once if it has been already).
  class Wait {
   public:
    using Output = void;
    explicit Wait(ShutdownSignal& signal) : signal_(&signal) {}

    wb::Poll<void> poll(wb::Context& cx) {
      // Register before looking at the flag: a trigger in between still wakes us.
      if (!notified_) notified_.emplace(signal_->notify_.notified());
      if (signal_->triggered()) return wb::Poll<void>::ready();
      if (notified_->poll(cx).is_ready()) return wb::Poll<void>::ready();
      return wb::pending;
    }

   private:
    ShutdownSignal* signal_;
    std::optional<wb::Notify::Notified> notified_;
  };
  Wait wait() { return Wait(*this); }

 private:
  std::atomic<bool> triggered_{false};
  wb::Notify notify_;
};
