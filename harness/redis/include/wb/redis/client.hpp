// wb::redis::Client — a Redis connection for commands: connect(host, port), then
// `co_await client.command("SET", key, value, "EX", 30)` for any command, each argument sent
// binary-safe, the reply a plain wb::redis::Reply. Transport failures are values (an Error),
// never exceptions; an error *reply* from Redis ("WRONGTYPE …") is a Reply whose kind is error.
// Commands sent from several tasks are answered in the order they were sent (one connection,
// pipelined); see connection.hpp for threads and lifetimes.
#pragma once

#include <concepts>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "wb/core/expected.hpp"
#include "wb/redis/connection.hpp"
#include "wb/redis/error.hpp"
#include "wb/redis/reply.hpp"
#include "wb/task/task.hpp"

namespace wb::redis {

/// What command() takes as an argument: text (sent as its bytes) or an integer (in decimal).
template <class T>
concept Argument = std::convertible_to<T const&, std::string_view> ||
    (std::integral<T> && !std::same_as<T, bool> && !std::same_as<T, char>);

class Client {
 public:
  /// Connects without blocking; Error{io, "Connection refused"} when nobody listens there.
  static Task<Expected<Client, Error>> connect(std::string host, int port) {
    auto connection = co_await Connection::open(std::move(host), port);
    if (!connection) co_return unexpected(std::move(connection.error()));
    co_return Client(std::move(*connection));
  }

  /// Sends one command when first awaited; Ready with its reply, or the Error that ended the
  /// connection first. SUBSCRIBE and PSUBSCRIBE are refused (Error{usage}): use a Subscriber.
  template <Argument... Args>
  Task<Expected<Reply, Error>> command(Args const&... args) {
    std::vector<std::string> argv;
    argv.reserve(sizeof...(Args));
    (argv.push_back(to_argument(args)), ...);
    return command_argv(std::move(argv));
  }

  /// The same with the arguments in a vector (the command's name first).
  Task<Expected<Reply, Error>> command_argv(std::vector<std::string> argv) {
    return await_reply(connection_.request(std::move(argv)));
  }

  /// Connected, and not yet closed by either side.
  bool is_open() const { return connection_.is_open(); }
  /// Closes the connection: commands still waiting end with Error{closed}.
  void close() { connection_.close(); }

 private:
  explicit Client(Connection connection) : connection_(std::move(connection)) {}

  template <class T>
  static std::string to_argument(T const& value) {
    if constexpr (std::convertible_to<T const&, std::string_view>) {
      return std::string(std::string_view(value));
    } else {
      return std::to_string(value);
    }
  }

  // A coroutine of its own, not a member: the request holds the connection's state, so the
  // task stays valid if the Client is moved or destroyed before it is awaited.
  static Task<Expected<Reply, Error>> await_reply(Connection::Request request) {
    co_return co_await std::move(request);
  }

  Connection connection_;
};

}  // namespace wb::redis
