// wb::testing::DropProbe — a waker that notices being released while a primitive's lock is held.
// Each handle it releases (a drop, or a wake that consumes the handle) runs `probe`, an operation
// that takes the lock of the primitive under test, on another thread and waits for it: if the
// release happens under that lock, the probe cannot finish until the release returns, so the
// wait runs out and the release is counted as one made under the lock. Releasing the last handle
// of a task runs the task's destructor, which may well touch the same primitive; this is how a
// test catches that without deadlocking.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "wb/core/waker.hpp"

namespace wb::testing {

class DropProbe {
 public:
  /// `probe` takes the lock of the primitive under test and lets it go again.
  explicit DropProbe(std::function<void()> probe,
                     std::chrono::milliseconds patience = std::chrono::seconds(10))
      : probe_(std::move(probe)), patience_(patience) {}
  DropProbe(DropProbe const&) = delete;
  DropProbe& operator=(DropProbe const&) = delete;
  ~DropProbe() {
    std::lock_guard lock(mutex_);
    for (auto& thread : threads_) thread.join();
  }

  /// A new handle; the probe must outlive every handle made from it.
  Waker waker() {
    handles_.fetch_add(1);
    return Waker(RawWaker{this, &vtable});
  }

  /// Stops probing: call it before the primitive goes, since its last handles may be released
  /// while it is being destroyed.
  void disarm() { armed_.store(false); }

  /// Handles made (and cloned) and not yet released.
  std::size_t live_handles() const { return handles_.load(); }
  std::size_t releases() const { return releases_.load(); }
  /// Releases during which the probe could not take the primitive's lock.
  std::size_t releases_under_lock() const { return under_lock_.load(); }

 private:
  static DropProbe* of(void const* data) {
    return const_cast<DropProbe*>(static_cast<DropProbe const*>(data));
  }
  static RawWaker clone(void const* data) {
    of(data)->handles_.fetch_add(1);
    return {data, &vtable};
  }
  static void wake(void const* data) { of(data)->release(); }
  static void wake_by_ref(void const*) {}
  static void drop(void const* data) { of(data)->release(); }
  static constexpr WakerVTable vtable{&clone, &wake, &wake_by_ref, &drop};

  void release() {
    handles_.fetch_sub(1);
    releases_.fetch_add(1);
    if (!armed_.load()) return;
    auto finished = std::make_shared<std::promise<void>>();
    auto probed = finished->get_future();
    {
      std::lock_guard lock(mutex_);
      threads_.emplace_back([probe = probe_, finished] {
        probe();
        finished->set_value();
      });
    }
    if (probed.wait_for(patience_) == std::future_status::timeout) under_lock_.fetch_add(1);
  }

  std::function<void()> probe_;
  std::chrono::milliseconds patience_;
  std::atomic<bool> armed_{true};
  std::atomic<std::size_t> handles_{0};
  std::atomic<std::size_t> releases_{0};
  std::atomic<std::size_t> under_lock_{0};
  std::mutex mutex_;  // guards threads_
  std::vector<std::thread> threads_;
};

}  // namespace wb::testing
