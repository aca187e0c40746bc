// wb::WaitList and wb::WakeList — the two pieces every waiting primitive here is built from. A
// WaitList is a first-in first-out list of waiters that live inside the waiting futures
// themselves (a future stays where it is once polled, so the list keeps pointers and waiting
// costs no allocation). A WakeList gathers the wakers to call once the primitive's lock is
// released: a wake may run arbitrary code, even a poll that takes the same lock. Releasing a
// waker may too (it can destroy a task), so no primitive here drops a waker under its lock: see
// the waker rule in wb/core/waker.hpp.
#pragma once

#include <array>
#include <cstddef>
#include <mutex>
#include <optional>
#include <utility>

#include "wb/core/waker.hpp"

namespace wb {

class WakeList;

// ANCHOR: waiter
/// One waiting future's entry. Every field is guarded by the lock of the primitive it waits on.
struct Waiter {
  Waiter* prev = nullptr;
  Waiter* next = nullptr;
  bool queued = false;
  std::optional<Waker> waker;  // the newest waker of the future that waits

  /// Answers the waker it replaced: release it after the lock (the waker rule, core/waker.hpp).
  [[nodiscard]] std::optional<Waker> set_waker(Waker const& newest) {
    return replace_waker(waker, newest);
  }
  std::optional<Waker> take_waker() noexcept { return std::exchange(waker, std::nullopt); }
};
// ANCHOR_END: waiter

/// An intrusive FIFO of waiters of type W (derived from Waiter). Not thread-safe: the owner's
/// lock guards it. The list never owns its waiters; a waiter leaving (a dropped future) must
/// remove itself.
template <class W>
class WaitList {
 public:
  WaitList() = default;
  WaitList(WaitList const&) = delete;
  WaitList& operator=(WaitList const&) = delete;

  bool empty() const noexcept { return head_ == nullptr; }
  std::size_t size() const noexcept { return size_; }
  W* front() const noexcept { return static_cast<W*>(head_); }

  void push_back(W& waiter) noexcept {
    Waiter& w = waiter;
    w.prev = tail_;
    w.next = nullptr;
    if (tail_) {
      tail_->next = &w;
    } else {
      head_ = &w;
    }
    tail_ = &w;
    w.queued = true;
    ++size_;
  }

  W* pop_front() noexcept {
    if (!head_) return nullptr;
    W* first = front();
    remove(*first);
    return first;
  }

  /// Takes waiters from the front for as long as `serve(waiter)` serves the one at the head (it
  /// marks it served, or answers false to leave it there and stop), and collects their wakers in
  /// `wakes`. When `wakes` is full they are woken with `lock` released, and the drain goes on.
  template <class Serve>
  void drain(std::unique_lock<std::mutex>& lock, WakeList& wakes, Serve serve);
  /// Takes every waiter, collecting their wakers.
  void drain(std::unique_lock<std::mutex>& lock, WakeList& wakes) {
    drain(lock, wakes, [](W&) { return true; });
  }

  void remove(W& waiter) noexcept {
    Waiter& w = waiter;
    if (!w.queued) return;
    if (w.prev) {
      w.prev->next = w.next;
    } else {
      head_ = w.next;
    }
    if (w.next) {
      w.next->prev = w.prev;
    } else {
      tail_ = w.prev;
    }
    w.prev = w.next = nullptr;
    w.queued = false;
    --size_;
  }

 private:
  Waiter* head_ = nullptr;
  Waiter* tail_ = nullptr;
  std::size_t size_ = 0;
};

/// Wakers collected under a lock, to be woken after it is released. It holds up to `capacity`
/// without allocating; a caller with more to wake releases the lock, wakes, and carries on.
class WakeList {
 public:
  static constexpr std::size_t capacity = 32;

  WakeList() = default;
  WakeList(WakeList const&) = delete;
  WakeList& operator=(WakeList const&) = delete;
  ~WakeList() { wake_all(); }

  bool full() const noexcept { return size_ == capacity; }
  void push(std::optional<Waker> waker) {
    if (waker) wakers_[size_++] = std::move(waker);
  }
  /// Wakes (and releases) every collected waker. Call it with no lock held.
  void wake_all() {
    for (std::size_t i = 0; i < size_; ++i)
      std::move(*std::exchange(wakers_[i], std::nullopt)).wake();
    size_ = 0;
  }

 private:
  std::array<std::optional<Waker>, capacity> wakers_;
  std::size_t size_ = 0;
};

template <class W>
template <class Serve>
void WaitList<W>::drain(std::unique_lock<std::mutex>& lock, WakeList& wakes, Serve serve) {
  while (W* head = front()) {
    if (!serve(*head)) break;
    remove(*head);
    wakes.push(head->take_waker());
    if (wakes.full()) {
      lock.unlock();
      wakes.wake_all();
      lock.lock();
    }
  }
}

}  // namespace wb
