// wb::redis::Client against a redis-server of the test's own: commands and their replies,
// failures as values, and destruction with commands still waiting.
#include <string>
#include <vector>
#include <wb/core/yield_now.hpp>
#include <wb/exec/runtime.hpp>
#include <wb/redis/client.hpp>
#include <wb/task/spawn.hpp>
#include <wb/task/task.hpp>
#include <wb/testing/catch.hpp>
#include <wb/testing/redis_server.hpp>

using Catch::Matchers::ContainsSubstring;
using wb::redis::Client;
using wb::redis::Error;
using wb::redis::Reply;

namespace {

Client connect_or_fail(wb::Runtime& runtime, wb::testing::RedisServer const& server) {
  auto client = runtime.block_on(Client::connect(server.host(), server.port()));
  if (!client) FAIL("could not connect to the test's redis-server: " << client.error().message);
  return std::move(*client);
}

}  // namespace

TEST_CASE("a client sets gets and increments keys") {
  auto server = wb::testing::RedisServer::start_or_skip();
  auto runtime = wb::Runtime::builder().build();
  auto body = [&]() -> wb::Task<void> {
    auto connected = co_await Client::connect(server.host(), server.port());
    REQUIRE(connected.has_value());
    Client client = std::move(*connected);
    CHECK(client.is_open());

    auto set = co_await client.command("SET", "greeting", "hello", "EX", 60);
    REQUIRE(set.has_value());
    CHECK(set->is_status());
    CHECK(set->text() == "OK");

    auto get = co_await client.command("GET", "greeting");
    REQUIRE(get.has_value());
    INFO("GET greeting answered " << get->describe());
    CHECK(get->is_string());
    CHECK(get->text() == "hello");

    auto ttl = co_await client.command("TTL", "greeting");
    REQUIRE(ttl.has_value());
    CHECK(ttl->is_integer());
    CHECK(ttl->integer() > 0);
    CHECK(ttl->integer() <= 60);

    long long last = 0;
    for (int i = 0; i < 3; ++i) {
      auto incremented = co_await client.command("INCR", "counter");
      REQUIRE(incremented.has_value());
      last = incremented->integer();
    }
    CHECK(last == 3);

    auto missing = co_await client.command("GET", "no-such-key");
    REQUIRE(missing.has_value());
    CHECK(missing->is_nil());
  };
  runtime.block_on(body());
}

TEST_CASE("arguments and replies are binary safe") {
  auto server = wb::testing::RedisServer::start_or_skip();
  auto runtime = wb::Runtime::builder().build();
  Client client = connect_or_fail(runtime, server);
  std::string const value("a\0b\r\nc \"quoted\"", 16);
  std::string const key("key with spaces\0and a zero", 26);
  auto body = [&]() -> wb::Task<void> {
    auto set = co_await client.command("SET", key, value);
    REQUIRE(set.has_value());
    std::vector<std::string> argv = {"GET", key};
    auto get = co_await client.command_argv(std::move(argv));
    REQUIRE(get.has_value());
    CHECK(get->text().size() == value.size());
    CHECK(get->text() == value);
  };
  runtime.block_on(body());
}

TEST_CASE("an error reply from redis is a reply of kind error") {
  auto server = wb::testing::RedisServer::start_or_skip();
  auto runtime = wb::Runtime::builder().build();
  Client client = connect_or_fail(runtime, server);
  auto body = [&]() -> wb::Task<void> {
    auto set = co_await client.command("SET", "word", "not a number");
    REQUIRE(set.has_value());
    auto incremented = co_await client.command("INCR", "word");
    REQUIRE(incremented.has_value());
    CHECK(incremented->is_error());
    CHECK_THAT(incremented->text(), ContainsSubstring("not an integer"));
    // The connection is still usable after an error reply.
    auto ping = co_await client.command("PING");
    REQUIRE(ping.has_value());
    CHECK(ping->text() == "PONG");
  };
  runtime.block_on(body());
}

TEST_CASE("arrays come back as arrays of replies") {
  auto server = wb::testing::RedisServer::start_or_skip();
  auto runtime = wb::Runtime::builder().build();
  Client client = connect_or_fail(runtime, server);
  auto body = [&]() -> wb::Task<void> {
    auto pushed = co_await client.command("RPUSH", "list", "one", "two", "three");
    REQUIRE(pushed.has_value());
    CHECK(pushed->integer() == 3);
    auto range = co_await client.command("LRANGE", "list", 0, -1);
    REQUIRE(range.has_value());
    REQUIRE(range->is_array());
    INFO("LRANGE answered " << range->describe());
    REQUIRE(range->elements().size() == 3);
    CHECK(range->elements()[0].text() == "one");
    CHECK(range->elements()[2].text() == "three");
    auto hset = co_await client.command("HSET", "presence", "alice", "room-1");
    REQUIRE(hset.has_value());
    auto expire = co_await client.command("EXPIRE", "presence", 30);
    REQUIRE(expire.has_value());
    CHECK(expire->integer() == 1);
  };
  runtime.block_on(body());
}

TEST_CASE("connecting to a port nobody listens on is an error value") {
  auto runtime = wb::Runtime::builder().build();
  int const port = wb::testing::RedisServer::free_port();
  auto client = runtime.block_on(Client::connect("127.0.0.1", port));
  REQUIRE_FALSE(client.has_value());
  CHECK(client.error().kind == Error::Kind::io);
  CHECK_THAT(client.error().message, ContainsSubstring("refused"));
}

TEST_CASE("a client refuses subscribe and points to the subscriber") {
  auto server = wb::testing::RedisServer::start_or_skip();
  auto runtime = wb::Runtime::builder().build();
  Client client = connect_or_fail(runtime, server);
  auto reply = runtime.block_on(client.command("SUBSCRIBE", "news"));
  REQUIRE_FALSE(reply.has_value());
  CHECK(reply.error().kind == Error::Kind::usage);
  CHECK_THAT(reply.error().message, ContainsSubstring("Subscriber"));
  auto ping = runtime.block_on(client.command("PING"));
  REQUIRE(ping.has_value());
}

TEST_CASE("commands sent from many tasks all get their own replies") {
  auto server = wb::testing::RedisServer::start_or_skip();
  auto runtime = wb::Runtime::builder().worker_threads(2).build();
  Client client = connect_or_fail(runtime, server);
  auto one = [](Client& client, int i) -> wb::Task<long long> {
    std::string const key = "task-" + std::to_string(i);
    auto set = co_await client.command("SET", key, i * 10);
    if (!set) co_return -1;
    auto get = co_await client.command("GET", key);
    if (!get || !get->is_string()) co_return -2;
    co_return std::stoll(get->text());
  };
  auto body = [&]() -> wb::Task<void> {
    std::vector<wb::JoinHandle<long long>> handles;
    for (int i = 0; i < 50; ++i) handles.push_back(wb::spawn(one(client, i)));
    for (int i = 0; i < 50; ++i) {
      long long const value = co_await handles[i];
      CHECK(value == i * 10);
    }
  };
  runtime.block_on(body());
}

TEST_CASE("commands waiting when the client is destroyed end with an error") {
  auto server = wb::testing::RedisServer::start_or_skip();
  auto runtime = wb::Runtime::builder().build();
  auto body = [&]() -> wb::Task<void> {
    auto connected = co_await Client::connect(server.host(), server.port());
    REQUIRE(connected.has_value());
    auto client = std::make_unique<Client>(std::move(*connected));
    // BLPOP on an empty list with no timeout: the server answers only when the list gets an
    // element, so these stay pending until the client goes.
    std::vector<wb::JoinHandle<wb::Expected<Reply, Error>>> waiting;
    for (int i = 0; i < 3; ++i) waiting.push_back(wb::spawn(client->command("BLPOP", "empty", 0)));
    auto never_awaited = client->command("GET", "x");
    co_await wb::yield_now();  // the spawned tasks send their commands
    co_await wb::yield_now();
    client.reset();
    for (auto& handle : waiting) {
      auto reply = co_await handle;
      REQUIRE_FALSE(reply.has_value());
      CHECK(reply.error().kind == Error::Kind::closed);
    }
    auto late = co_await std::move(never_awaited);
    REQUIRE_FALSE(late.has_value());
    CHECK(late.error().kind == Error::Kind::closed);
  };
  runtime.block_on(body());
}

TEST_CASE("a client destroyed with commands in flight on a pool does not crash") {
  auto server = wb::testing::RedisServer::start_or_skip();
  auto runtime = wb::Runtime::builder().worker_threads(2).build();
  for (int round = 0; round < 20; ++round) {
    auto body = [&]() -> wb::Task<void> {
      auto connected = co_await Client::connect(server.host(), server.port());
      REQUIRE(connected.has_value());
      auto client = std::make_unique<Client>(std::move(*connected));
      std::vector<wb::JoinHandle<wb::Expected<Reply, Error>>> waiting;
      for (int i = 0; i < 20; ++i) waiting.push_back(wb::spawn(client->command("INCR", "n")));
      co_await wb::yield_now();
      client.reset();  // some replies are in, some are on their way: each ends one way
      for (auto& handle : waiting) {
        auto reply = co_await handle;
        if (!reply) CHECK(reply.error().kind == Error::Kind::closed);
      }
    };
    runtime.block_on(body());
  }
}

TEST_CASE("a command after the server went away is an error value") {
  auto server = wb::testing::RedisServer::start_or_skip();
  auto runtime = wb::Runtime::builder().build();
  Client client = connect_or_fail(runtime, server);
  server.stop();
  auto first = runtime.block_on(client.command("PING"));
  REQUIRE_FALSE(first.has_value());
  INFO("the error: " << first.error().message);
  CHECK((first.error().kind == Error::Kind::eof || first.error().kind == Error::Kind::io ||
         first.error().kind == Error::Kind::closed));
  auto second = runtime.block_on(client.command("PING"));
  REQUIRE_FALSE(second.has_value());
  CHECK_FALSE(client.is_open());
}
