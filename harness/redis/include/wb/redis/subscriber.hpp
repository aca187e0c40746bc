// wb::redis::Subscriber — a Redis connection of its own in pub/sub mode: subscribe(channel) or
// psubscribe(pattern) (and unsubscribe), then `co_await subscriber.receive()` for each message in
// the order the server sent them. It is also a wb::Stream of Expected<Message, Error>: the error
// that ends the connection (the server went away) is its last item, so a reader never hangs on a
// dead server.
//
// Bounded: at most `capacity` received messages wait in memory. When that many wait, the
// subscriber stops reading its socket until receive() takes one — a slow reader slows the
// connection instead of growing memory. The kernel's socket buffers fill next, then Redis's
// output buffer for this client, and past Redis's client-output-buffer-limit for pub/sub
// (32 MB, or 8 MB for 60 s, by default) the server closes the connection: receive() then gives
// the messages still kept and after them the Error. One read of the socket is handled whole, so
// the messages kept may exceed `capacity` by what one read of hiredis's (16 KiB) brings.
// Because confirmations arrive on the same socket, a subscribe() made while the buffer is full
// waits until the reader makes room.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "wb/core/expected.hpp"
#include "wb/redis/connection.hpp"
#include "wb/redis/error.hpp"
#include "wb/redis/message.hpp"
#include "wb/task/task.hpp"

namespace wb::redis {

class Subscriber {
 public:
  using Item = Expected<Message, Error>;

  /// Connects without blocking (see Client::connect); `capacity` bounds the messages kept.
  static Task<Expected<Subscriber, Error>> connect(
      std::string host, int port, std::size_t capacity = Connection::default_message_capacity) {
    auto connection = co_await Connection::open(std::move(host), port, capacity);
    if (!connection) co_return unexpected(std::move(connection.error()));
    co_return Subscriber(std::move(*connection));
  }

  /// Subscribes to `channel`; Ready once the server has confirmed it, so a message published
  /// after that reaches this subscriber.
  Task<Expected<void, Error>> subscribe(std::string channel) {
    return await_confirmed(connection_.subscribe(false, {std::move(channel)}));
  }
  /// Subscribes to every channel matching the glob-style `pattern` (PSUBSCRIBE).
  Task<Expected<void, Error>> psubscribe(std::string pattern) {
    return await_confirmed(connection_.subscribe(true, {std::move(pattern)}));
  }

  /// Stops the messages of `channel` (or of `pattern`); Ready once the server has confirmed it.
  /// Messages already received stay in the buffer.
  Task<Expected<void, Error>> unsubscribe(std::string channel) {
    return await_confirmed(connection_.unsubscribe(false, {std::move(channel)}));
  }
  Task<Expected<void, Error>> punsubscribe(std::string pattern) {
    return await_confirmed(connection_.unsubscribe(true, {std::move(pattern)}));
  }

  class Receive;
  /// A future of the next message, or of the Error that ended the connection (again each time
  /// once it has ended). The Subscriber must outlive it.
  Receive receive();

  /// Stream: each message, then the Error that ended the connection, then the end.
  Poll<std::optional<Item>> poll_next(Context& cx) {
    if (ended_) return std::optional<Item>();
    auto polled = connection_.poll_message(cx);
    if (polled.is_pending()) return pending;
    Item item = std::move(polled).value();
    if (!item) ended_ = true;
    return std::optional<Item>(std::move(item));
  }

  /// How many received messages wait to be taken.
  std::size_t buffered() const { return connection_.buffered(); }
  bool is_open() const { return connection_.is_open(); }
  void close() { connection_.close(); }

 private:
  explicit Subscriber(Connection connection) : connection_(std::move(connection)) {}

  static Task<Expected<void, Error>> await_confirmed(Connection::Subscribe subscribe) {
    co_return co_await std::move(subscribe);
  }

  Connection connection_;
  bool ended_ = false;  // the stream has given its last item
};

class Subscriber::Receive {
 public:
  using Output = Expected<Message, Error>;
  explicit Receive(Connection& connection) noexcept : connection_(&connection) {}
  Poll<Output> poll(Context& cx) { return connection_->poll_message(cx); }

 private:
  Connection* connection_;
};

inline Subscriber::Receive Subscriber::receive() { return Receive(connection_); }

}  // namespace wb::redis
