#include "wb/oracle/wake_log.hpp"

#include <algorithm>

namespace wb::oracle {

struct WakeLog::Handle {
  std::shared_ptr<WakeLog> log;
  std::uint64_t generation;
  void wake() { log->on_wake(generation); }
};

Waker WakeLog::make_waker(std::uint64_t generation) {
  {
    std::lock_guard lock(mutex_);
    current_ = generation;
  }
  return waker_from(std::make_shared<Handle>(Handle{shared_from_this(), generation}));
}

void WakeLog::begin_poll(std::uint64_t generation) {
  std::lock_guard lock(mutex_);
  current_ = generation;
  woken_ = false;
  this_poll_ = 0;
  stale_this_poll_ = false;
}

void WakeLog::set_trace(std::shared_ptr<PollTrace> trace) {
  std::lock_guard lock(mutex_);
  trace_ = std::move(trace);
}

void WakeLog::on_wake(std::uint64_t generation) {
  {
    std::lock_guard lock(mutex_);
    ++total_;
    if (trace_) trace_->woke(generation, current_, finished_);
    if (finished_) {
      ++after_finish_;
      return;
    }
    if (generation == current_) {
      woken_ = true;
      ++this_poll_;
    } else {
      ++stale_;
      last_stale_ = generation;
      if (!stale_this_poll_) {
        stale_this_poll_ = true;
        first_stale_this_poll_ = std::chrono::steady_clock::now();
      }
    }
  }
  woken_cv_.notify_all();
}

bool WakeLog::wait_for_wake(std::chrono::steady_clock::time_point deadline,
                            std::chrono::milliseconds stale_grace) {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (woken_) return true;
    auto until = deadline;
    if (stale_this_poll_) until = std::min(until, first_stale_this_poll_ + stale_grace);
    if (std::chrono::steady_clock::now() >= until) return false;
    woken_cv_.wait_until(lock, until);
  }
}

bool WakeLog::woken() const {
  std::lock_guard lock(mutex_);
  return woken_;
}

void WakeLog::mark_finished() {
  std::lock_guard lock(mutex_);
  finished_ = true;
}

std::size_t WakeLog::total_wakes() const {
  std::lock_guard lock(mutex_);
  return total_;
}

std::size_t WakeLog::stale_wakes() const {
  std::lock_guard lock(mutex_);
  return stale_;
}

std::uint64_t WakeLog::last_stale_generation() const {
  std::lock_guard lock(mutex_);
  return last_stale_;
}

std::size_t WakeLog::wakes_after_finish() const {
  std::lock_guard lock(mutex_);
  return after_finish_;
}

}  // namespace wb::oracle

namespace wb::oracle {

std::size_t WakeLog::wakes_this_poll() const {
  std::lock_guard lock(mutex_);
  return this_poll_;
}

}  // namespace wb::oracle
