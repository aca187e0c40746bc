// wb::broadcast — many senders, many receivers, and every receiver gets every message (a copy:
// T must be copyable). Messages live in a ring of fixed capacity; a send never waits, it
// overwrites the oldest message. A receiver that falls so far behind that its next message was
// overwritten is told so — RecvError::lagged(n), n messages lost — and carries on from the
// oldest message still in the ring. A receiver sees Closed once every sender is gone and it has
// read everything; a send fails with SendError when there are no receivers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "wb/core/contract.hpp"
#include "wb/core/expected.hpp"
#include "wb/core/future.hpp"
#include "wb/sync/errors.hpp"
#include "wb/sync/wait_list.hpp"
#include "wb/sync/waiting_future.hpp"

namespace wb::broadcast {

// ANCHOR: recv_error
/// Why a receive gave no message: the channel is closed, or `skipped` messages were lost
/// because this receiver fell behind (the next receive goes on with the oldest one left).
class RecvError {
 public:
  static RecvError closed() noexcept { return RecvError(0); }
  static RecvError lagged(std::uint64_t skipped) noexcept { return RecvError(skipped); }

  bool is_closed() const noexcept { return skipped_ == 0; }
  bool is_lagged() const noexcept { return skipped_ != 0; }
  std::uint64_t skipped() const noexcept { return skipped_; }
  friend bool operator==(RecvError, RecvError) = default;

 private:
  explicit RecvError(std::uint64_t skipped) noexcept : skipped_(skipped) {}
  std::uint64_t skipped_;
};
// ANCHOR_END: recv_error

/// Why try_recv gave no message: nothing new yet, closed, or `skipped` messages lost.
struct TryRecvError {
  enum class Kind { empty, closed, lagged };
  Kind kind;
  std::uint64_t skipped = 0;
};

namespace detail {
/// The ring and the counts; the lock and the receivers waiting for the next message come from
/// SharedWaitList.
template <class T>
struct Shared : SharedWaitList {
  explicit Shared(std::size_t capacity) : ring(capacity) {}

  std::vector<std::optional<T>> ring;  // message number i lives at ring[i % capacity]
  std::uint64_t sent = 0;              // messages ever sent: the number of the next one
  std::size_t senders = 1;
  std::size_t receivers = 1;

  std::uint64_t oldest() const noexcept { return sent > ring.size() ? sent - ring.size() : 0; }
};
}  // namespace detail

template <class T>
class Receiver;

template <class T>
class Sender {
 public:
  Sender(Sender const& other) : shared_(other.shared_) {
    std::lock_guard lock(shared_->mutex);
    ++shared_->senders;
  }
  Sender(Sender&&) noexcept = default;
  Sender& operator=(Sender other) noexcept {
    shared_.swap(other.shared_);
    return *this;
  }
  ~Sender() {
    if (!shared_) return;
    WakeList wakes;
    std::unique_lock lock(shared_->mutex);
    if (--shared_->senders == 0) shared_->waiting.drain(lock, wakes);  // they must see Closed
  }

  // ANCHOR: broadcast_send
  /// Stores a copy for every receiver and wakes the waiting ones; never waits. Ready with the
  /// number of receivers, or SendError (the message back) when there are none.
  Expected<std::size_t, SendError<T>> send(T message) {
    WakeList wakes;
    std::unique_lock lock(shared_->mutex);
    if (shared_->receivers == 0) return unexpected(SendError<T>{std::move(message)});
    auto& slot = shared_->ring[shared_->sent % shared_->ring.size()];
    slot.emplace(std::move(message));  // overwrites the oldest: laggards will hear of it
    ++shared_->sent;
    std::size_t const receivers = shared_->receivers;
    shared_->waiting.drain(lock, wakes);
    return receivers;
  }
  // ANCHOR_END: broadcast_send

  /// A new receiver that gets every message sent from now on.
  Receiver<T> subscribe() const;

  std::size_t receiver_count() const {
    std::lock_guard lock(shared_->mutex);
    return shared_->receivers;
  }

 private:
  template <class U>
  friend std::pair<Sender<U>, Receiver<U>> channel(std::size_t);
  explicit Sender(std::shared_ptr<detail::Shared<T>> shared) : shared_(std::move(shared)) {}

  std::shared_ptr<detail::Shared<T>> shared_;
};

template <class T>
class Receiver {
 public:
  Receiver(Receiver&&) noexcept = default;
  Receiver& operator=(Receiver&& other) noexcept {
    shared_.swap(other.shared_);
    std::swap(next_, other.next_);
    return *this;
  }
  ~Receiver() {
    if (!shared_) return;
    std::lock_guard lock(shared_->mutex);
    --shared_->receivers;
  }

  /// Another receiver that starts from the messages sent after this call.
  Receiver resubscribe() const {
    std::lock_guard lock(shared_->mutex);
    ++shared_->receivers;
    return Receiver(shared_, shared_->sent);
  }

  // ANCHOR: broadcast_recv
  /// The next message, lagged(n) when n messages were overwritten before this receiver read
  /// them, or closed. Without a message and with senders left: Pending.
  Poll<Expected<T, RecvError>> poll_recv(Waiter& waiter, Context& cx) {
    if (!shared_) throw ContractViolation("a broadcast receiver was used after it was moved from");
    std::optional<Waker> replaced;  // released after the lock (the waker rule, core/waker.hpp)
    std::lock_guard lock(shared_->mutex);
    auto result = take_locked();
    if (result) return std::move(*result);
    if (!waiter.queued) shared_->waiting.push_back(waiter);
    replaced = waiter.set_waker(cx.waker());
    return pending;
  }
  // ANCHOR_END: broadcast_recv

  /// The future of the next message; dropping it stops the wait.
  using Recv = WaitingFuture<Receiver, Expected<T, RecvError>, &Receiver::poll_recv>;
  Recv recv() { return Recv(*this, shared_); }

  /// The next message if there is one, without waiting.
  Expected<T, TryRecvError> try_recv() {
    std::lock_guard lock(shared_->mutex);
    auto result = take_locked();
    if (!result) return unexpected(TryRecvError{TryRecvError::Kind::empty, 0});
    if (!*result) {
      auto const error = result->error();
      auto const kind = error.is_closed() ? TryRecvError::Kind::closed : TryRecvError::Kind::lagged;
      return unexpected(TryRecvError{kind, error.skipped()});
    }
    return std::move(**result);
  }

 private:
  friend class Sender<T>;
  template <class U>
  friend std::pair<Sender<U>, Receiver<U>> channel(std::size_t);
  Receiver(std::shared_ptr<detail::Shared<T>> shared, std::uint64_t next)
      : shared_(std::move(shared)), next_(next) {}

  // With the lock held: a message, an error, or nothing yet.
  std::optional<Expected<T, RecvError>> take_locked() {
    auto& shared = *shared_;
    if (next_ < shared.sent) {
      if (next_ < shared.oldest()) {
        std::uint64_t const skipped = shared.oldest() - next_;
        next_ = shared.oldest();  // carry on with the oldest message still there
        return Expected<T, RecvError>(unexpected(RecvError::lagged(skipped)));
      }
      T const& message = *shared.ring[next_ % shared.ring.size()];
      ++next_;
      return Expected<T, RecvError>(message);  // each receiver gets its own copy
    }
    if (shared.senders == 0) return Expected<T, RecvError>(unexpected(RecvError::closed()));
    return std::nullopt;
  }

  std::shared_ptr<detail::Shared<T>> shared_;
  std::uint64_t next_ = 0;  // the number of the next message this receiver reads
};

template <class T>
Receiver<T> Sender<T>::subscribe() const {
  std::lock_guard lock(shared_->mutex);
  ++shared_->receivers;
  return Receiver<T>(shared_, shared_->sent);
}

/// A broadcast channel keeping the last `capacity` messages: {sender, first receiver}.
template <class T>
std::pair<Sender<T>, Receiver<T>> channel(std::size_t capacity) {
  if (capacity == 0) throw ContractViolation("a broadcast channel needs a capacity of at least 1");
  auto shared = std::make_shared<detail::Shared<T>>(capacity);
  return {Sender<T>(shared), Receiver<T>(shared, 0)};
}

}  // namespace wb::broadcast
