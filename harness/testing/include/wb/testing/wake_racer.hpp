// wb::testing::WakeRacer — a helper thread that wakes every waker handed to it almost at once, so
// that wakes land while the future is still being polled, between its Pending and the executor
// going to sleep, and just after. Tests use it to prove that no wake-up is lost in that window.
// race() makes the future that hands its waker over.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "wb/core/future.hpp"

namespace wb::testing {

class WakeRacer {
  struct Shared;
  struct Round {
    std::atomic<bool> woken{false};      // set just before the racer calls wake()
    std::atomic<bool> delivered{false};  // set once wake() has returned
  };

 public:
  /// Pending at its first poll, when it hands its waker to the racer; Ready at the first poll
  /// after the racer has woken it. Its output is the number of polls it took.
  class Race {
   public:
    using Output = std::size_t;

    /// `spins_before_pending`: how long to wait between handing the waker over and returning
    /// Pending; none means "until the wake has been delivered", so it lands before the Pending.
    Race(std::shared_ptr<Shared> shared, std::optional<std::uint32_t> spins_before_pending)
        : shared_(std::move(shared)),
          round_(std::make_shared<Round>()),
          spins_before_pending_(spins_before_pending) {}

    Poll<std::size_t> poll(Context& cx) {
      ++polls_;
      if (round_->woken.load(std::memory_order_acquire)) return polls_;
      {
        std::lock_guard lock(shared_->mutex);
        shared_->handed_over.emplace(cx.waker());
        shared_->round = round_;
      }
      shared_->requests.fetch_add(1, std::memory_order_release);
      if (spins_before_pending_) {
        spin(*spins_before_pending_);  // the wake may come now, or after we return
      } else {
        // Relaxed on purpose: it orders nothing, so what the wake wrote reaches the executor
        // only through the executor's own synchronization (its lock), and a read it makes
        // without that lock is a data race ThreadSanitizer reports in every such round.
        while (!round_->delivered.load(std::memory_order_relaxed)) std::this_thread::yield();
      }
      return pending;
    }

   private:
    std::shared_ptr<Shared> shared_;
    std::shared_ptr<Round> round_;
    std::optional<std::uint32_t> spins_before_pending_;
    std::size_t polls_ = 0;
  };

  WakeRacer() : shared_(std::make_shared<Shared>()) {
    thread_ = std::thread([shared = shared_] { run(*shared); });
  }
  ~WakeRacer() {
    shared_->stop.store(true, std::memory_order_relaxed);
    thread_.join();
  }
  WakeRacer(WakeRacer const&) = delete;
  WakeRacer& operator=(WakeRacer const&) = delete;

  /// The next future to race. One in four has its wake delivered before it returns Pending, so
  /// that case is tested even where the scheduler keeps both threads on one core (and a parker
  /// that reads its token without the lock races in each such round); the others
  /// wait a different while each, so their wakes land all around the executor's way to sleep.
  Race race() {
    if (++made_ % 4 == 0) return Race(shared_, std::nullopt);
    return Race(shared_, next_spread(spread_) % (4 * max_spins));
  }

 private:
  struct Shared {
    std::atomic<std::uint64_t> requests{0};
    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::optional<Waker> handed_over;
    std::shared_ptr<Round> round;
  };

  static constexpr std::uint32_t max_spins = 1024;

  static std::uint32_t next_spread(std::uint32_t& state) {
    state = state * 1103515245u + 12345u;
    return state >> 16;
  }

  static void spin(std::uint32_t spins) {
    for (; spins > 0; --spins) std::atomic_signal_fence(std::memory_order_seq_cst);
  }

  static void run(Shared& shared) {
    std::uint64_t served = 0;
    std::uint32_t spread = 7;
    while (!shared.stop.load(std::memory_order_relaxed)) {
      if (shared.requests.load(std::memory_order_acquire) == served) {
        // Spin rather than sleep (a sleeping racer would always wake too late), but let a
        // thread that shares this core run now and then.
        if ((++spread & 0x3f) == 0) std::this_thread::yield();
        continue;
      }
      ++served;
      std::optional<Waker> waker;
      std::shared_ptr<Round> round;
      {
        std::lock_guard lock(shared.mutex);
        waker.swap(shared.handed_over);
        round = std::move(shared.round);
      }
      if (!waker) continue;
      spin(next_spread(spread) % (2 * max_spins));
      round->woken.store(true, std::memory_order_release);
      std::move(*waker).wake();
      round->delivered.store(true, std::memory_order_relaxed);
    }
  }

  std::shared_ptr<Shared> shared_;
  std::uint32_t spread_ = 1;
  std::uint64_t made_ = 0;
  std::thread thread_;
};

}  // namespace wb::testing
