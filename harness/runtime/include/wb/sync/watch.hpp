// wb::watch — one sender, many receivers, and only the latest value: configuration, a status, a
// "shutting down" flag. The sender replaces the value; a receiver reads the current one with
// borrow() and awaits changed(), which is Ready once a value newer than the last one it saw has
// been sent (values sent in between are skipped, which is the point). changed() is Closed once
// the sender is gone and nothing newer is left to see; send() fails when no receiver is left.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "wb/core/contract.hpp"
#include "wb/core/expected.hpp"
#include "wb/core/future.hpp"
#include "wb/sync/errors.hpp"
#include "wb/sync/wait_list.hpp"
#include "wb/sync/waiting_future.hpp"

namespace wb::watch {

namespace detail {
/// The value and its version; the lock and the receivers awaiting changed() come from
/// SharedWaitList.
template <class T>
struct Shared : SharedWaitList {
  explicit Shared(T initial) : value(std::move(initial)) {}

  T value;
  std::uint64_t version = 0;  // bumped by every send
  bool sender_alive = true;
  std::size_t receivers = 1;
};
}  // namespace detail

/// Read access to the current value; it holds the channel's lock, so keep it short and never
/// hold it across a co_await.
template <class T>
class Ref {
 public:
  T const& operator*() const noexcept { return *value_; }
  T const* operator->() const noexcept { return value_; }
  /// Whether this value is newer than the one the receiver had seen before the borrow.
  bool has_changed() const noexcept { return changed_; }

 private:
  template <class>
  friend class Sender;
  template <class>
  friend class Receiver;
  Ref(std::unique_lock<std::mutex> lock, T const* value, bool changed)
      : lock_(std::move(lock)), value_(value), changed_(changed) {}
  std::unique_lock<std::mutex> lock_;
  T const* value_;
  bool changed_;
};

template <class T>
class Receiver;

template <class T>
class Sender {
 public:
  Sender(Sender&&) noexcept = default;
  Sender& operator=(Sender&& other) noexcept {
    shared_.swap(other.shared_);
    return *this;
  }
  /// The receivers see Closed once they have seen the last value.
  ~Sender() {
    if (!shared_) return;
    WakeList wakes;
    std::unique_lock lock(shared_->mutex);
    shared_->sender_alive = false;
    shared_->waiting.drain(lock, wakes);
  }

  // ANCHOR: watch_send
  /// Replaces the value and wakes every receiver awaiting changed(). Fails (the value back,
  /// the old one kept) when there is no receiver.
  Expected<void, SendError<T>> send(T value) {
    WakeList wakes;
    std::unique_lock lock(shared_->mutex);
    if (shared_->receivers == 0) return unexpected(SendError<T>{std::move(value)});
    shared_->value = std::move(value);
    ++shared_->version;
    shared_->waiting.drain(lock, wakes);
    return {};
  }
  // ANCHOR_END: watch_send

  /// Replaces the value even with no receiver; returns the old one.
  T send_replace(T value) {
    WakeList wakes;
    std::unique_lock lock(shared_->mutex);
    std::swap(shared_->value, value);
    ++shared_->version;
    shared_->waiting.drain(lock, wakes);
    return value;
  }

  /// Changes the value in place with `modify(T&)`, then notifies like send.
  template <class Fn>
  void send_modify(Fn&& modify) {
    WakeList wakes;
    std::unique_lock lock(shared_->mutex);
    std::forward<Fn>(modify)(shared_->value);
    ++shared_->version;
    shared_->waiting.drain(lock, wakes);
  }

  Ref<T> borrow() const {
    std::unique_lock lock(shared_->mutex);
    return Ref<T>(std::move(lock), &shared_->value, false);
  }

  /// A new receiver; it counts the current value as seen.
  Receiver<T> subscribe() const;

  std::size_t receiver_count() const {
    std::lock_guard lock(shared_->mutex);
    return shared_->receivers;
  }
  bool is_closed() const { return receiver_count() == 0; }

 private:
  template <class U>
  friend std::pair<Sender<U>, Receiver<U>> channel(U);
  explicit Sender(std::shared_ptr<detail::Shared<T>> shared) : shared_(std::move(shared)) {}
  std::shared_ptr<detail::Shared<T>> shared_;
};

/// A receiver; copy it for another one that has seen the same values.
template <class T>
class Receiver {
 public:
  Receiver(Receiver const& other) : shared_(other.shared_), seen_(other.seen_) {
    std::lock_guard lock(shared_->mutex);
    ++shared_->receivers;
  }
  Receiver(Receiver&&) noexcept = default;
  Receiver& operator=(Receiver other) noexcept {
    shared_.swap(other.shared_);
    std::swap(seen_, other.seen_);
    return *this;
  }
  ~Receiver() {
    if (!shared_) return;
    std::lock_guard lock(shared_->mutex);
    --shared_->receivers;
  }

  /// The current value, without marking it seen.
  Ref<T> borrow() const {
    std::unique_lock lock(shared_->mutex);
    bool const changed = shared_->version != seen_;
    return Ref<T>(std::move(lock), &shared_->value, changed);
  }
  /// The current value, marking it seen: changed() waits for a newer one after this.
  Ref<T> borrow_and_update() {
    std::unique_lock lock(shared_->mutex);
    bool const changed = shared_->version != seen_;
    seen_ = shared_->version;
    return Ref<T>(std::move(lock), &shared_->value, changed);
  }

  /// Whether a value newer than the last one seen is there; Closed when the sender is gone.
  Expected<bool, Closed> has_changed() const {
    std::lock_guard lock(shared_->mutex);
    if (!shared_->sender_alive) return unexpected(Closed{});
    return shared_->version != seen_;
  }

  // ANCHOR: watch_changed
  /// Ready (and marks it seen) once a value newer than the last one seen is there; Closed once
  /// the sender is gone with nothing newer to see.
  Poll<Expected<void, Closed>> poll_changed(Waiter& waiter, Context& cx) {
    if (!shared_) throw ContractViolation("a watch receiver was used after it was moved from");
    std::optional<Waker> replaced;  // released after the lock (the waker rule, core/waker.hpp)
    std::lock_guard lock(shared_->mutex);
    if (shared_->version != seen_) {
      seen_ = shared_->version;
      shared_->waiting.remove(waiter);
      return Expected<void, Closed>();
    }
    if (!shared_->sender_alive) {
      shared_->waiting.remove(waiter);
      return Expected<void, Closed>(unexpected(Closed{}));
    }
    if (!waiter.queued) shared_->waiting.push_back(waiter);
    replaced = waiter.set_waker(cx.waker());
    return pending;
  }
  // ANCHOR_END: watch_changed

  /// The future of changed(); dropping it stops the wait.
  using Changed = WaitingFuture<Receiver, Expected<void, Closed>, &Receiver::poll_changed>;
  Changed changed() { return Changed(*this, shared_); }

 private:
  friend class Sender<T>;
  template <class U>
  friend std::pair<Sender<U>, Receiver<U>> channel(U);
  Receiver(std::shared_ptr<detail::Shared<T>> shared, std::uint64_t seen)
      : shared_(std::move(shared)), seen_(seen) {}
  std::shared_ptr<detail::Shared<T>> shared_;
  std::uint64_t seen_;
};

template <class T>
Receiver<T> Sender<T>::subscribe() const {
  std::lock_guard lock(shared_->mutex);
  ++shared_->receivers;
  return Receiver<T>(shared_, shared_->version);
}

/// A watch channel holding `initial`, which counts as seen: {sender, receiver}.
template <class T>
std::pair<Sender<T>, Receiver<T>> channel(T initial) {
  auto shared = std::make_shared<detail::Shared<T>>(std::move(initial));
  return {Sender<T>(shared), Receiver<T>(shared, 0)};
}

}  // namespace wb::watch
