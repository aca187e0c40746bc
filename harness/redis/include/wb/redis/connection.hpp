// wb::redis::Connection — one hiredis asynchronous context (redisAsyncContext) driven by the wb
// I/O driver: its socket is registered with the IoDriver of the runtime that opened it, and the
// driver's readiness calls redisAsyncHandleRead/Write, the way hiredis's own adapters
// (adapters/libevent.h, ae.h) plug it into an event loop. No second event loop, no blocking
// call: the connect is non-blocking and its failure is a value. Client and Subscriber are made
// of one Connection each.
//
// Threads. hiredis is not thread-safe, so a context is used by one thread at a time: every call
// into hiredis — sending a request, handling readiness, freeing — happens with the connection's
// mutex held, and hiredis's callbacks (which run inside those calls) only store results. Wakers
// are collected under the mutex and woken after it is released, so a woken task that destroys
// the last handle of the connection never meets the mutex held. So a Connection works on a
// single-threaded runtime and on a pool, where its readiness may be handled on one worker while a
// task on another sends a request.
//
// Lifetime. The context is freed when the Connection is destroyed or closed, or by hiredis when
// the connection breaks; a request waiting then ends with an Error, never a hang. Requests and
// the readiness callbacks hold the connection's state, not the context, so they are safe after
// it is gone. The host should be an IP address: a name is resolved by hiredis with a blocking
// getaddrinfo. The first connection makes the process ignore SIGPIPE (hiredis writes with
// write(2), and a server that went away would otherwise kill the process).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "wb/core/expected.hpp"
#include "wb/core/future.hpp"
#include "wb/redis/error.hpp"
#include "wb/redis/message.hpp"
#include "wb/redis/reply.hpp"

namespace wb::redis {

namespace detail {
struct ConnectionState;
struct ReplySlot;
}  // namespace detail

class Connection {
 public:
  class Open;
  class Request;
  class Subscribe;

  /// How many received pub/sub messages a connection keeps for its reader unless told otherwise.
  static constexpr std::size_t default_message_capacity = 1024;

  /// A future that connects to `host`:`port` without blocking: Ready with the connection or with
  /// the Error (kind io, "Connection refused", for a port nobody listens on). A pub/sub
  /// connection keeps at most `message_capacity` messages that nobody has received yet (see
  /// Subscriber for what happens when it is full).
  static Open open(std::string host, int port,
                   std::size_t message_capacity = default_message_capacity);

  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  /// Closes: requests still waiting end with Error{closed}.
  ~Connection();

  /// A future that sends the command `argv` (each argument binary-safe) at its first poll and is
  /// Ready with its reply, or with an Error if the connection ends first.
  Request request(std::vector<std::string> argv);

  /// Ends the connection now (see ~Connection).
  void close();
  /// Connected, and not yet closed by either side.
  bool is_open() const;

  // --- Pub/sub, for Subscriber: once subscribed, a connection takes no other commands ---

  /// A future that sends SUBSCRIBE (or PSUBSCRIBE when `pattern`) with `names` and is Ready once
  /// the server has confirmed every one of them: from then on, what is published there arrives.
  Subscribe subscribe(bool pattern, std::vector<std::string> names);
  /// UNSUBSCRIBE (or PUNSUBSCRIBE) `names`; Ready once the server has confirmed each name this
  /// connection was subscribed to (names it was not subscribed to are left out).
  Subscribe unsubscribe(bool pattern, std::vector<std::string> names);
  /// Ready with the oldest message kept, or with the Error that ended the connection (again at
  /// every later poll).
  Poll<Expected<Message, Error>> poll_message(Context& cx);
  /// How many received messages wait to be taken.
  std::size_t buffered() const;

 private:
  explicit Connection(std::shared_ptr<detail::ConnectionState> state);
  std::shared_ptr<detail::ConnectionState> state_;
};

/// The future of Connection::open.
class Connection::Open {
 public:
  using Output = Expected<Connection, Error>;
  Open(Open&&) noexcept;  // before the first poll only
  Open& operator=(Open&&) = delete;
  ~Open();
  Poll<Output> poll(Context& cx);

 private:
  friend class Connection;
  Open(std::string host, int port, std::size_t capacity);
  std::string host_;
  int port_;
  std::size_t capacity_;
  std::shared_ptr<detail::ConnectionState> state_;  // once the connect has started
};

/// The future of Connection::request.
class Connection::Request {
 public:
  using Output = Expected<Reply, Error>;
  Request(Request&&) noexcept;  // before the first poll only
  Request& operator=(Request&&) = delete;
  ~Request();
  Poll<Output> poll(Context& cx);

 private:
  friend class Connection;
  Request(std::shared_ptr<detail::ConnectionState> state, std::vector<std::string> argv,
          bool subscribe, bool pattern);
  std::shared_ptr<detail::ConnectionState> state_;
  std::vector<std::string> argv_;
  bool subscribe_;  // a (P)SUBSCRIBE or (P)UNSUBSCRIBE: Ready at its last confirmation
  bool pattern_;
  std::shared_ptr<detail::ReplySlot> slot_;  // once sent
};

/// The future of Connection::subscribe.
class Connection::Subscribe {
 public:
  using Output = Expected<void, Error>;
  Poll<Output> poll(Context& cx);

 private:
  friend class Connection;
  explicit Subscribe(Request request) : request_(std::move(request)) {}
  Request request_;
};

}  // namespace wb::redis
