// wb::mpsc — a multi-producer, single-consumer queue of messages between tasks.
//   * channel<T>(capacity): bounded. When the buffer is full, send() waits until the receiver
//     takes a message: a slow consumer slows its producers down (backpressure) instead of
//     letting the queue grow without limit. Waiting senders are served first come, first served.
//   * unbounded_channel<T>(): send() never waits; memory is the only limit.
// Closing is part of the types: a send with no receiver fails with SendError (the message comes
// back), and recv() on a closed, drained channel is Closed — the channel closes when every sender
// is gone, or when the receiver calls close(). Messages already queued are still delivered.
#pragma once

#include <cstddef>
#include <deque>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "wb/core/address_check.hpp"
#include "wb/core/contract.hpp"
#include "wb/core/expected.hpp"
#include "wb/core/future.hpp"
#include "wb/sync/errors.hpp"
#include "wb/sync/wait_list.hpp"

namespace wb::mpsc {

namespace detail {

/// A sender waiting for room; it holds its message until the receiver moves it into the buffer.
template <class T>
struct SendWaiter : Waiter {
  std::optional<T> message;
  enum class Outcome { waiting, sent, closed } outcome = Outcome::waiting;
};

// ANCHOR: chan
/// What the senders and the receiver share; every field is guarded by `mutex`.
template <class T>
struct Chan {
  explicit Chan(std::size_t capacity) : capacity(capacity) {}

  std::mutex mutex;
  std::deque<T> buffer;
  std::size_t const capacity;           // max() for an unbounded channel
  WaitList<SendWaiter<T>> blocked;      // senders waiting for room, oldest first
  std::optional<Waker> receiver_waker;  // set while the receiver waits for a message
  std::size_t senders = 1;
  bool receiver_closed = false;  // the receiver closed or dropped: sends fail
};
// ANCHOR_END: chan

/// Puts `message` in the buffer if there is room and nobody is queued before it; the
/// receiver's waker (if it waits) goes to `to_wake`. Else hands the message back.
template <class T>
std::optional<T> try_push(Chan<T>& chan, T&& message, std::optional<Waker>& to_wake) {
  if (!chan.blocked.empty() || chan.buffer.size() >= chan.capacity) return std::move(message);
  chan.buffer.push_back(std::move(message));
  to_wake = std::exchange(chan.receiver_waker, std::nullopt);
  return std::nullopt;
}

template <class T>
void add_sender(Chan<T>& chan) {
  std::lock_guard lock(chan.mutex);
  ++chan.senders;
}

/// The last sender gone closes the channel for the receiver: wake it to see that.
template <class T>
void drop_sender(Chan<T>& chan) {
  std::optional<Waker> to_wake;
  {
    std::lock_guard lock(chan.mutex);
    if (--chan.senders == 0) to_wake = std::exchange(chan.receiver_waker, std::nullopt);
  }
  if (to_wake) std::move(*to_wake).wake();
}

}  // namespace detail

template <class T>
class Receiver;

/// The sending end of a bounded channel. Copy it to have several producers; the channel closes
/// for the receiver when the last copy is gone.
template <class T>
class Sender {
 public:
  Sender(Sender const& other) : chan_(other.chan_) {
    if (chan_) detail::add_sender(*chan_);
  }
  Sender(Sender&&) noexcept = default;
  Sender& operator=(Sender other) noexcept {
    chan_.swap(other.chan_);
    return *this;
  }
  ~Sender() {
    if (chan_) detail::drop_sender(*chan_);
  }

  class Send;
  /// A future that delivers `message`, waiting while the buffer is full: Ready with nothing on
  /// success, or with SendError (holding the message) once the receiver is gone.
  Send send(T message) { return Send(chan_, std::move(message)); }

  /// Delivers `message` if there is room right now.
  Expected<void, TrySendError<T>> try_send(T message) {
    std::optional<Waker> to_wake;
    std::optional<T> refused;
    bool closed = false;
    {
      std::lock_guard lock(chan_->mutex);
      closed = chan_->receiver_closed;
      if (!closed) refused = detail::try_push(*chan_, std::move(message), to_wake);
    }
    if (to_wake) std::move(*to_wake).wake();
    if (closed)
      return unexpected(TrySendError<T>{TrySendError<T>::Reason::closed, std::move(message)});
    if (refused)
      return unexpected(TrySendError<T>{TrySendError<T>::Reason::full, std::move(*refused)});
    return {};
  }

  /// True once the receiver is gone or closed: every send will fail.
  bool is_closed() const {
    std::lock_guard lock(chan_->mutex);
    return chan_->receiver_closed;
  }
  std::size_t capacity() const noexcept { return chan_->capacity; }

 private:
  template <class U>
  friend std::pair<Sender<U>, Receiver<U>> channel(std::size_t);
  explicit Sender(std::shared_ptr<detail::Chan<T>> chan) : chan_(std::move(chan)) {}
  std::shared_ptr<detail::Chan<T>> chan_;
};

// ANCHOR: send_future
template <class T>
class Sender<T>::Send {
 public:
  using Output = Expected<void, SendError<T>>;

  Send(std::shared_ptr<detail::Chan<T>> chan, T message) : chan_(std::move(chan)) {
    waiter_.message.emplace(std::move(message));
  }
  Send(Send&& other) : chan_(other.chan_) {
    if (other.waiter_.queued)
      throw ContractViolation("an mpsc send was moved after its first poll");
    waiter_.message = std::move(other.waiter_.message);
  }
  Send& operator=(Send&&) = delete;
  /// Dropping a waiting send cancels it: its message is not delivered.
  ~Send() {
    if (!chan_ || done_) return;
    std::lock_guard lock(chan_->mutex);
    chan_->blocked.remove(waiter_);
  }

  Poll<Output> poll(Context& cx) {
    check_.on_poll(this);
    if (done_) throw ContractViolation("an mpsc send was polled after it returned Ready");
    std::optional<Waker> to_wake;
    std::optional<Waker> replaced;  // released after the lock (the waker rule, core/waker.hpp)
    {
      std::lock_guard lock(chan_->mutex);
      using Outcome = typename detail::SendWaiter<T>::Outcome;
      if (waiter_.outcome == Outcome::sent) return finish();  // the receiver took it in
      if (waiter_.outcome == Outcome::closed || chan_->receiver_closed) {
        chan_->blocked.remove(waiter_);
        return finish(unexpected(SendError<T>{std::move(*waiter_.message)}));
      }
      if (!waiter_.queued) {
        auto refused = detail::try_push(*chan_, std::move(*waiter_.message), to_wake);
        if (!refused) {
          waiter_.message.reset();
          done_ = true;
        } else {
          waiter_.message = std::move(refused);
          chan_->blocked.push_back(waiter_);  // full: wait in line for room
        }
      }
      if (!done_) replaced = waiter_.set_waker(cx.waker());
    }
    if (to_wake) std::move(*to_wake).wake();
    if (done_) return Output();
    return pending;
  }

 private:
  Poll<Output> finish(Output result = Output()) {
    done_ = true;
    return result;
  }

  std::shared_ptr<detail::Chan<T>> chan_;
  detail::SendWaiter<T> waiter_;
  bool done_ = false;
  [[no_unique_address]] AddressCheck check_;
};
// ANCHOR_END: send_future

/// The sending end of an unbounded channel: send() never waits.
template <class T>
class UnboundedSender {
 public:
  UnboundedSender(UnboundedSender const& other) : chan_(other.chan_) {
    if (chan_) detail::add_sender(*chan_);
  }
  UnboundedSender(UnboundedSender&&) noexcept = default;
  UnboundedSender& operator=(UnboundedSender other) noexcept {
    chan_.swap(other.chan_);
    return *this;
  }
  ~UnboundedSender() {
    if (chan_) detail::drop_sender(*chan_);
  }

  /// Queues `message`; fails with the message back if the receiver is gone.
  Expected<void, SendError<T>> send(T message) {
    std::optional<Waker> to_wake;
    {
      std::lock_guard lock(chan_->mutex);
      if (chan_->receiver_closed) return unexpected(SendError<T>{std::move(message)});
      chan_->buffer.push_back(std::move(message));
      to_wake = std::exchange(chan_->receiver_waker, std::nullopt);
    }
    if (to_wake) std::move(*to_wake).wake();
    return {};
  }

  bool is_closed() const {
    std::lock_guard lock(chan_->mutex);
    return chan_->receiver_closed;
  }

 private:
  template <class U>
  friend std::pair<UnboundedSender<U>, Receiver<U>> unbounded_channel();
  explicit UnboundedSender(std::shared_ptr<detail::Chan<T>> chan) : chan_(std::move(chan)) {}
  std::shared_ptr<detail::Chan<T>> chan_;
};

/// The one receiving end.
template <class T>
class Receiver {
 public:
  Receiver(Receiver&&) noexcept = default;
  Receiver& operator=(Receiver&& other) noexcept {
    Receiver(std::move(other)).swap(*this);
    return *this;
  }
  /// Closes the channel; messages still queued are destroyed.
  ~Receiver() {
    if (!chan_) return;
    close();
    std::deque<T> dropped;       // destroyed outside the lock, like the waker
    std::optional<Waker> waker;  // the waker rule, core/waker.hpp
    {
      std::lock_guard lock(chan_->mutex);
      dropped.swap(chan_->buffer);
      waker = std::exchange(chan_->receiver_waker, std::nullopt);
    }
  }

  // ANCHOR: poll_recv
  /// Ready with the next message, or with Closed once every sender is gone (or close() was
  /// called) and the buffer is empty.
  Poll<Expected<T, Closed>> poll_recv(Context& cx) {
    std::optional<Waker> to_wake;
    std::optional<Waker> replaced;  // released after the lock (the waker rule, core/waker.hpp)
    std::optional<T> message;
    {
      std::lock_guard lock(chan_->mutex);
      if (!chan_->buffer.empty()) {
        message.emplace(std::move(chan_->buffer.front()));
        chan_->buffer.pop_front();
        // Room for one more: the first blocked sender's message moves in, and it is done.
        if (auto* sender = chan_->blocked.pop_front()) {
          chan_->buffer.push_back(std::move(*sender->message));
          sender->message.reset();
          sender->outcome = detail::SendWaiter<T>::Outcome::sent;
          to_wake = sender->take_waker();
        }
      } else if (chan_->senders == 0 || chan_->receiver_closed) {
        return Expected<T, Closed>(unexpected(Closed{}));
      } else {
        replaced = replace_waker(chan_->receiver_waker, cx.waker());
        return pending;
      }
    }
    if (to_wake) std::move(*to_wake).wake();
    return Expected<T, Closed>(std::move(*message));
  }
  // ANCHOR_END: poll_recv

  /// The future of the next message: `while (auto message = co_await rx.recv()) …`
  class Recv {
   public:
    using Output = Expected<T, Closed>;
    explicit Recv(Receiver& receiver) : receiver_(&receiver) {}
    Poll<Output> poll(Context& cx) { return receiver_->poll_recv(cx); }

   private:
    Receiver* receiver_;
  };
  Recv recv() { return Recv(*this); }

  /// The next message if one is queued, without waiting.
  Expected<T, TryRecvError> try_recv() {
    std::optional<Waker> to_wake;
    std::optional<T> message;
    {
      std::lock_guard lock(chan_->mutex);
      if (chan_->buffer.empty()) {
        bool closed = chan_->senders == 0 || chan_->receiver_closed;
        return unexpected(closed ? TryRecvError::closed : TryRecvError::empty);
      }
      message.emplace(std::move(chan_->buffer.front()));
      chan_->buffer.pop_front();
      if (auto* sender = chan_->blocked.pop_front()) {
        chan_->buffer.push_back(std::move(*sender->message));
        sender->message.reset();
        sender->outcome = detail::SendWaiter<T>::Outcome::sent;
        to_wake = sender->take_waker();
      }
    }
    if (to_wake) std::move(*to_wake).wake();
    return std::move(*message);
  }

  /// Refuses new messages (sends fail from now on, waiting ones too) but keeps those already
  /// queued, so the receiver can drain them before it sees Closed.
  void close() {
    WakeList wakes;
    std::unique_lock lock(chan_->mutex);
    chan_->receiver_closed = true;
    chan_->blocked.drain(lock, wakes, [](detail::SendWaiter<T>& sender) {
      sender.outcome = detail::SendWaiter<T>::Outcome::closed;
      return true;
    });
  }

  /// Messages queued right now.
  std::size_t size() const {
    std::lock_guard lock(chan_->mutex);
    return chan_->buffer.size();
  }

  void swap(Receiver& other) noexcept { chan_.swap(other.chan_); }

 private:
  template <class U>
  friend std::pair<Sender<U>, Receiver<U>> channel(std::size_t);
  template <class U>
  friend std::pair<UnboundedSender<U>, Receiver<U>> unbounded_channel();
  explicit Receiver(std::shared_ptr<detail::Chan<T>> chan) : chan_(std::move(chan)) {}
  std::shared_ptr<detail::Chan<T>> chan_;
};

/// A bounded channel of `capacity` messages (at least 1): {sender, receiver}.
template <class T>
std::pair<Sender<T>, Receiver<T>> channel(std::size_t capacity) {
  if (capacity == 0) throw ContractViolation("an mpsc channel needs a capacity of at least 1");
  auto chan = std::make_shared<detail::Chan<T>>(capacity);
  return {Sender<T>(chan), Receiver<T>(chan)};
}

/// A channel whose sends never wait: {sender, receiver}.
template <class T>
std::pair<UnboundedSender<T>, Receiver<T>> unbounded_channel() {
  auto chan = std::make_shared<detail::Chan<T>>(std::numeric_limits<std::size_t>::max());
  return {UnboundedSender<T>(chan), Receiver<T>(chan)};
}

}  // namespace wb::mpsc
