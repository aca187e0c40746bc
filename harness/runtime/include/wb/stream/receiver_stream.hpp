// wb::ReceiverStream — the receiving end of an mpsc channel seen as a stream: each message is an
// item, and the stream ends when the channel is closed and drained.
#pragma once

#include <optional>
#include <utility>

#include "wb/stream/stream.hpp"
#include "wb/sync/mpsc.hpp"

namespace wb {

template <class T>
class ReceiverStream {
 public:
  using Item = T;

  explicit ReceiverStream(mpsc::Receiver<T> receiver) : receiver_(std::move(receiver)) {}

  Poll<std::optional<T>> poll_next(Context& cx) {
    auto message = receiver_.poll_recv(cx);
    if (message.is_pending()) return pending;
    auto received = std::move(message).value();
    if (!received) return std::optional<T>();  // closed and drained: the end
    return std::optional<T>(std::move(*received));
  }

  /// The receiver inside, to close() it for instance.
  mpsc::Receiver<T>& receiver() noexcept { return receiver_; }

 private:
  mpsc::Receiver<T> receiver_;
};

template <class T>
ReceiverStream<T> receiver_stream(mpsc::Receiver<T> receiver) {
  return ReceiverStream<T>(std::move(receiver));
}

}  // namespace wb
