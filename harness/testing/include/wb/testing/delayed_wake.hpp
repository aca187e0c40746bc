// wb::testing::DelayedWake — a future that stays Pending until a helper thread, started at its
// first poll, wakes it after a delay; its output is the number of polls it took. It stands in for
// a timer or a socket, so an executor can be tested on a wake that comes from another thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "wb/core/address_check.hpp"
#include "wb/core/future.hpp"

namespace wb::testing {

class DelayedWake {
 public:
  using Output = std::size_t;  // how many times it was polled, the Ready poll included

  explicit DelayedWake(std::chrono::milliseconds delay)
      : shared_(std::make_shared<Shared>()), delay_(delay) {}
  DelayedWake(DelayedWake&&) = default;  // only before the first poll
  DelayedWake& operator=(DelayedWake&&) = delete;
  ~DelayedWake() {
    if (waker_thread_.joinable()) waker_thread_.join();
  }

  Poll<std::size_t> poll(Context& cx) {
    check_.on_poll(this);
    ++polls_;
    std::lock_guard lock(shared_->mutex);
    if (shared_->fired) return polls_;
    if (!shared_->waker || !shared_->waker->will_wake(cx.waker())) shared_->waker = cx.waker();
    if (!waker_thread_.joinable()) {
      waker_thread_ = std::thread([shared = shared_, delay = delay_] {
        std::this_thread::sleep_for(delay);
        std::optional<Waker> waker;
        {
          std::lock_guard lock(shared->mutex);
          shared->fired = true;
          waker.swap(shared->waker);
        }
        if (waker) std::move(*waker).wake();  // outside the lock: the executor may poll at once
      });
    }
    return pending;
  }

 private:
  struct Shared {
    std::mutex mutex;
    bool fired = false;
    std::optional<Waker> waker;  // the newest waker, woken when the delay is over
  };

  std::shared_ptr<Shared> shared_;
  std::chrono::milliseconds delay_;
  std::size_t polls_ = 0;
  std::thread waker_thread_;
  AddressCheck check_;
};

}  // namespace wb::testing
