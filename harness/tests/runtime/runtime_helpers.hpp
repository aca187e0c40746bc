// Small helpers shared by the runtime's tests: a guard that reports its destruction (to see
// when a future is dropped), a future that stays Pending until told, and a wall-clock timer.
#pragma once

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "wb/core/future.hpp"
#include "wb/core/poll.hpp"

namespace wb::testing {

/// Sets its flag when destroyed: put one inside a future to learn when the future is dropped.
class DropFlag {
 public:
  explicit DropFlag(std::shared_ptr<std::atomic<bool>> flag) : flag_(std::move(flag)) {}
  DropFlag(DropFlag&& other) noexcept : flag_(std::move(other.flag_)) {}
  DropFlag& operator=(DropFlag&&) = delete;
  ~DropFlag() {
    if (flag_) flag_->store(true);
  }

 private:
  std::shared_ptr<std::atomic<bool>> flag_;
};

inline std::shared_ptr<std::atomic<bool>> make_flag() {
  return std::make_shared<std::atomic<bool>>(false);
}

/// The other end of a Gate: opens it from any thread.
struct GateState {
  std::mutex mutex;
  bool open = false;
  std::optional<Waker> waker;
  std::size_t polls = 0;

  void open_now() {
    std::optional<Waker> to_wake;
    {
      std::lock_guard lock(mutex);
      open = true;
      to_wake.swap(waker);
    }
    if (to_wake) std::move(*to_wake).wake();
  }
};

/// Pending until its GateState is opened; counts its polls and keeps the newest waker.
class Gate {
 public:
  using Output = void;
  explicit Gate(std::shared_ptr<GateState> state) : state_(std::move(state)) {}
  Poll<void> poll(Context& cx) {
    std::lock_guard lock(state_->mutex);
    ++state_->polls;
    if (state_->open) return Poll<void>::ready();
    if (!state_->waker || !state_->waker->will_wake(cx.waker())) state_->waker = cx.waker();
    return pending;
  }

 private:
  std::shared_ptr<GateState> state_;
};

/// Wall-clock time since construction.
class Stopwatch {
 public:
  std::chrono::steady_clock::duration elapsed() const {
    return std::chrono::steady_clock::now() - start_;
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

/// Runs `fn` on a new thread whose stack is only `stack_bytes` long, and waits for it; what
/// `fn` throws is rethrown here. A call that needs more stack crashes instead of passing.
inline void run_on_small_stack(std::size_t stack_bytes, std::function<void()> fn) {
  struct Call {
    std::function<void()> fn;
    std::exception_ptr error;
  } call{std::move(fn), nullptr};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, stack_bytes);
  pthread_t thread;
  auto body = [](void* arg) -> void* {
    auto* c = static_cast<Call*>(arg);
    try {
      c->fn();
    } catch (...) {
      c->error = std::current_exception();
    }
    return nullptr;
  };
  if (pthread_create(&thread, &attr, body, &call) != 0) {
    pthread_attr_destroy(&attr);
    throw std::runtime_error("pthread_create failed");
  }
  pthread_attr_destroy(&attr);
  pthread_join(thread, nullptr);
  if (call.error) std::rethrow_exception(call.error);
}

}  // namespace wb::testing
