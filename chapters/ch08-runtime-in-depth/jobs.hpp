// Jobs for the tests of run_with_limit: each one, when started, enters a Gauge, waits for its
// duration, leaves the gauge and returns its output. The gauge remembers how many jobs ran at
// the same time, at most, and on which threads. (Given, not an exercise.)
#pragma once

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <wb/task/task.hpp>
#include <wb/time/clock.hpp>
#include <wb/time/sleep.hpp>

// ANCHOR: gauge
struct Gauge {
  std::atomic<int> running{0};
  std::atomic<int> most{0};  // the highest `running` ever was
  std::atomic<int> started{0};
  std::atomic<int> finished{0};

  void enter() {
    ++started;
    int const now = ++running;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
    std::lock_guard lock(mutex_);
    threads_.insert(std::this_thread::get_id());
  }
  void leave() {
    --running;
    ++finished;
  }
  bool ran_on(std::thread::id thread) {
    std::lock_guard lock(mutex_);
    return threads_.count(thread) > 0;
  }

 private:
  std::mutex mutex_;
  std::set<std::thread::id> threads_;
};

/// Enters the gauge, sleeps for `duration`, leaves it, and returns `output`.
inline wb::Task<int> timed_job(std::shared_ptr<Gauge> gauge, int output, wb::Duration duration) {
  gauge->enter();
  co_await wb::sleep(duration);
  gauge->leave();
  co_return output;
}

/// A job for run_with_limit: called with no arguments, it returns the future of timed_job.
struct TimedJob {
  std::shared_ptr<Gauge> gauge;
  int output;
  wb::Duration duration;
  wb::Task<int> operator()() const { return timed_job(gauge, output, duration); }
};
// ANCHOR_END: gauge
