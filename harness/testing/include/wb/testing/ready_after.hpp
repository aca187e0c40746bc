// wb::testing::ReadyAfter — a future that is Ready with a given value once a delay has passed
// since its first poll. A detached thread that shares (owns a piece of) its state does the
// waiting, so the future can be dropped at any time without waiting for the thread: a loser of
// a select is destroyed at once, and its thread finishes harmlessly later.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "wb/core/contract.hpp"
#include "wb/core/future.hpp"

namespace wb::testing {

template <class T>
class ReadyAfter {
 public:
  using Output = T;

  ReadyAfter(T value, std::chrono::milliseconds delay)
      : value_(std::move(value)), delay_(delay), shared_(std::make_shared<Shared>()) {}

  Poll<T> poll(Context& cx) {
    {
      std::lock_guard lock(shared_->mutex);
      if (shared_->fired) {
        if (!value_) throw ContractViolation("a ReadyAfter future was polled after it was Ready");
        return std::exchange(value_, std::nullopt).value();
      }
      if (!shared_->waker || !shared_->waker->will_wake(cx.waker())) shared_->waker = cx.waker();
    }
    if (!started_) {
      started_ = true;
      std::thread([shared = shared_, delay = delay_] {
        std::this_thread::sleep_for(delay);
        std::optional<Waker> waker;
        {
          std::lock_guard lock(shared->mutex);
          shared->fired = true;
          waker.swap(shared->waker);
        }
        if (waker) std::move(*waker).wake();  // outside the lock: the executor may poll at once
      }).detach();
    }
    return pending;
  }

 private:
  struct Shared {
    std::mutex mutex;
    bool fired = false;
    std::optional<Waker> waker;  // the newest waker, woken when the delay is over
  };

  std::optional<T> value_;
  std::chrono::milliseconds delay_;
  std::shared_ptr<Shared> shared_;
  bool started_ = false;
};

template <class T>
ReadyAfter<std::decay_t<T>> ready_after(T&& value, std::chrono::milliseconds delay) {
  return ReadyAfter<std::decay_t<T>>(std::forward<T>(value), delay);
}

}  // namespace wb::testing
