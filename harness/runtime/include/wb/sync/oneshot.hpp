// wb::oneshot — a channel for exactly one value, from one sender to one receiver: the answer to
// a request. send() never waits (there is room for one value) and fails, handing the value back,
// if the receiver is gone. The receiver is itself a future: Ready with the value, or Closed when
// the sender was dropped without sending.
//
//   auto [reply, answer] = wb::oneshot::channel<int>();
//   wb::spawn(compute(std::move(reply)));  // calls reply.send(42)
//   wb::Expected<int, wb::Closed> value = co_await std::move(answer);
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "wb/core/contract.hpp"
#include "wb/core/expected.hpp"
#include "wb/core/future.hpp"
#include "wb/sync/errors.hpp"

namespace wb::oneshot {

namespace detail {
template <class T>
struct State {
  std::mutex mutex;
  std::optional<T> value;
  bool sender_done = false;    // sent, or dropped without sending
  bool receiver_gone = false;  // dropped or closed
  std::optional<Waker> receiver_waker;
  std::optional<Waker> sender_waker;  // the sender awaiting closed()
};
}  // namespace detail

template <class T>
class Receiver;

template <class T>
class Sender {
 public:
  Sender(Sender&&) noexcept = default;
  Sender& operator=(Sender&& other) noexcept {
    Sender(std::move(other)).swap(*this);
    return *this;
  }
  /// Dropping a sender that never sent tells the receiver: it gets Closed.
  ~Sender() { finish(); }

  // ANCHOR: oneshot_send
  /// Delivers `value`, once. Fails with the value back if the receiver is gone.
  Expected<void, SendError<T>> send(T value) {
    if (!state_) throw ContractViolation("a oneshot::Sender sends once; this one has sent already");
    auto state = std::move(state_);  // spent, whatever happens next
    std::optional<Waker> to_wake;
    std::optional<Waker> own;  // closed()'s waker: nobody waits on it now
    {
      std::lock_guard lock(state->mutex);
      state->sender_done = true;
      own = std::exchange(state->sender_waker, std::nullopt);
      if (state->receiver_gone) return unexpected(SendError<T>{std::move(value)});
      state->value.emplace(std::move(value));
      to_wake = std::exchange(state->receiver_waker, std::nullopt);
    }
    if (to_wake) std::move(*to_wake).wake();
    return {};
  }
  // ANCHOR_END: oneshot_send

  /// True once the receiver is gone: nobody will read what this sender might send.
  bool is_closed() const {
    if (!state_) return true;
    std::lock_guard lock(state_->mutex);
    return state_->receiver_gone;
  }

  /// A future that is Ready when the receiver is gone (so the work can stop early).
  class Closed {
   public:
    using Output = void;
    explicit Closed(Sender& sender) : sender_(&sender) {}
    Poll<void> poll(Context& cx) {
      auto& state = sender_->state_;
      if (!state) return Poll<void>::ready();
      std::optional<Waker> replaced;  // released after the lock (the waker rule, core/waker.hpp)
      std::lock_guard lock(state->mutex);
      if (state->receiver_gone) return Poll<void>::ready();
      replaced = replace_waker(state->sender_waker, cx.waker());
      return pending;
    }

   private:
    Sender* sender_;
  };
  Closed closed() { return Closed(*this); }

  void swap(Sender& other) noexcept { state_.swap(other.state_); }

 private:
  template <class U>
  friend std::pair<Sender<U>, Receiver<U>> channel();
  explicit Sender(std::shared_ptr<detail::State<T>> state) : state_(std::move(state)) {}

  void finish() {
    if (!state_) return;
    std::optional<Waker> to_wake;
    std::optional<Waker> own;  // closed()'s waker: nobody waits on it now
    {
      std::lock_guard lock(state_->mutex);
      state_->sender_done = true;
      to_wake = std::exchange(state_->receiver_waker, std::nullopt);
      own = std::exchange(state_->sender_waker, std::nullopt);
    }
    state_.reset();
    if (to_wake) std::move(*to_wake).wake();
  }

  std::shared_ptr<detail::State<T>> state_;
};

/// The receiving end; a future of Expected<T, Closed>. Await it by moving it in
/// (co_await std::move(rx)) or in place (co_await rx); either way only once.
template <class T>
class Receiver {
 public:
  using Output = Expected<T, wb::Closed>;

  Receiver(Receiver&&) noexcept = default;
  Receiver& operator=(Receiver&& other) noexcept {
    Receiver(std::move(other)).swap(*this);
    return *this;
  }
  ~Receiver() { close(); }

  // ANCHOR: oneshot_poll
  Poll<Output> poll(Context& cx) {
    if (!state_) throw ContractViolation("a oneshot::Receiver was polled after it returned Ready");
    std::optional<Waker> replaced;  // released after the lock (the waker rule, core/waker.hpp)
    std::unique_lock lock(state_->mutex);
    if (state_->value) {
      Output value(std::move(*state_->value));
      lock.unlock();
      state_.reset();
      return value;
    }
    if (state_->sender_done) {
      lock.unlock();
      state_.reset();
      return Output(unexpected(wb::Closed{}));
    }
    replaced = replace_waker(state_->receiver_waker, cx.waker());
    return pending;
  }
  // ANCHOR_END: oneshot_poll

  /// The value if it has arrived, without waiting.
  Expected<T, TryRecvError> try_recv() {
    if (!state_) return unexpected(TryRecvError::closed);
    std::unique_lock lock(state_->mutex);
    if (state_->value) {
      Expected<T, TryRecvError> value(std::move(*state_->value));
      lock.unlock();
      state_.reset();
      return value;
    }
    if (state_->sender_done) return unexpected(TryRecvError::closed);
    return unexpected(TryRecvError::empty);
  }

  /// Refuses the value from now on: the sender's send fails and its closed() is Ready.
  void close() {
    if (!state_) return;
    std::optional<Waker> to_wake;
    std::optional<Waker> own;  // this receiver's waker: nothing will wake it now
    std::optional<T> dropped;  // a value sent but never read is destroyed outside the lock
    {
      std::lock_guard lock(state_->mutex);
      state_->receiver_gone = true;
      dropped.swap(state_->value);
      to_wake = std::exchange(state_->sender_waker, std::nullopt);
      own = std::exchange(state_->receiver_waker, std::nullopt);
    }
    state_.reset();
    if (to_wake) std::move(*to_wake).wake();
  }

  void swap(Receiver& other) noexcept { state_.swap(other.state_); }

 private:
  template <class U>
  friend std::pair<Sender<U>, Receiver<U>> channel();
  explicit Receiver(std::shared_ptr<detail::State<T>> state) : state_(std::move(state)) {}

  std::shared_ptr<detail::State<T>> state_;
};

/// A new oneshot channel: {sender, receiver}.
template <class T>
std::pair<Sender<T>, Receiver<T>> channel() {
  auto state = std::make_shared<detail::State<T>>();
  return {Sender<T>(state), Receiver<T>(state)};
}

}  // namespace wb::oneshot
