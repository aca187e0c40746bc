// wb::redis::Subscriber against a redis-server of the test's own: messages from another
// connection, their order, a pool of threads, a bounded buffer, and a server that goes away.
#include <string>
#include <vector>
#include <wb/exec/runtime.hpp>
#include <wb/redis/client.hpp>
#include <wb/redis/subscriber.hpp>
#include <wb/stream/stream.hpp>
#include <wb/task/spawn.hpp>
#include <wb/task/task.hpp>
#include <wb/testing/catch.hpp>
#include <wb/testing/redis_server.hpp>

using Catch::Matchers::ContainsSubstring;
using wb::redis::Client;
using wb::redis::Error;
using wb::redis::Message;
using wb::redis::Subscriber;

namespace {

wb::Task<Subscriber> subscribed(wb::testing::RedisServer const& server, std::string channel,
                                std::size_t capacity = 1024) {
  auto connected = co_await Subscriber::connect(server.host(), server.port(), capacity);
  REQUIRE(connected.has_value());
  Subscriber subscriber = std::move(*connected);
  auto confirmed = co_await subscriber.subscribe(std::move(channel));
  REQUIRE(confirmed.has_value());
  co_return subscriber;
}

wb::Task<Client> client_of(wb::testing::RedisServer const& server) {
  auto connected = co_await Client::connect(server.host(), server.port());
  REQUIRE(connected.has_value());
  co_return std::move(*connected);
}

std::string numbered(int i) { return "message " + std::to_string(i); }

}  // namespace

TEST_CASE("a message published by one client reaches a subscriber on another connection") {
  auto server = wb::testing::RedisServer::start_or_skip();
  auto runtime = wb::Runtime::builder().build();
  auto body = [&]() -> wb::Task<void> {
    Subscriber subscriber = co_await subscribed(server, "room:lobby");
    Client publisher = co_await client_of(server);
    auto published = co_await publisher.command("PUBLISH", "room:lobby", "hello everyone");
    REQUIRE(published.has_value());
    CHECK(published->integer() == 1);  // one subscriber heard it
    auto message = co_await subscriber.receive();
    REQUIRE(message.has_value());
    CHECK(message->channel == "room:lobby");
    CHECK(message->payload == "hello everyone");
    CHECK_FALSE(message->pattern.has_value());
  };
  runtime.block_on(body());
}

TEST_CASE("a pattern subscription names the channel and the pattern") {
  auto server = wb::testing::RedisServer::start_or_skip();
  auto runtime = wb::Runtime::builder().build();
  auto body = [&]() -> wb::Task<void> {
    auto connected = co_await Subscriber::connect(server.host(), server.port());
    REQUIRE(connected.has_value());
    Subscriber subscriber = std::move(*connected);
    auto confirmed = co_await subscriber.psubscribe("room:*");
    REQUIRE(confirmed.has_value());
    Client publisher = co_await client_of(server);
    auto other = co_await publisher.command("PUBLISH", "elsewhere", "not for you");
    REQUIRE(other.has_value());
    auto published = co_await publisher.command("PUBLISH", "room:7", "for you");
    REQUIRE(published.has_value());
    auto message = co_await subscriber.receive();
    REQUIRE(message.has_value());
    CHECK(message->channel == "room:7");
    CHECK(message->payload == "for you");
    REQUIRE(message->pattern.has_value());
    CHECK(*message->pattern == "room:*");
  };
  runtime.block_on(body());
}

TEST_CASE("many messages arrive in the order they were published") {
  auto server = wb::testing::RedisServer::start_or_skip();
  auto runtime = wb::Runtime::builder().build();
  constexpr int count = 2000;
  auto body = [&]() -> wb::Task<void> {
    Subscriber subscriber = co_await subscribed(server, "ordered");
    auto second = co_await subscriber.subscribe("other");  // two channels on one connection
    REQUIRE(second.has_value());
    Client publisher = co_await client_of(server);
    auto publish_all = [](Client& publisher) -> wb::Task<bool> {
      // Pipelined: every PUBLISH is sent before the first reply is awaited.
      std::vector<wb::Task<wb::Expected<wb::redis::Reply, Error>>> sent;
      for (int i = 0; i < count; ++i) {
        sent.push_back(
            publisher.command("PUBLISH", i % 10 == 9 ? "other" : "ordered", numbered(i)));
      }
      for (auto& reply : sent) {
        auto result = co_await std::move(reply);
        if (!result) co_return false;
      }
      co_return true;
    };
    auto publishing = wb::spawn(publish_all(publisher));
    int expected = 0;
    int received = 0;
    while (received < count) {
      auto message = co_await subscriber.receive();
      REQUIRE(message.has_value());
      if (message->payload != numbered(expected)) {
        FAIL("message " << received << " was \"" << message->payload << "\" on " << message->channel
                        << ", expected \"" << numbered(expected) << "\": messages arrive in the "
                        << "order they were published");
      }
      CHECK(message->channel == (expected % 10 == 9 ? "other" : "ordered"));
      ++expected;
      ++received;
    }
    bool const all_published = co_await publishing;
    CHECK(all_published);
  };
  runtime.block_on(body());
}

TEST_CASE("a subscriber on the multi threaded runtime receives every message") {
  auto server = wb::testing::RedisServer::start_or_skip();
  auto runtime = wb::Runtime::builder().worker_threads(2).build();
  constexpr int count = 500;
  auto receive_all = [&](Subscriber subscriber) -> wb::Task<int> {
    int in_order = 0;
    while (in_order < count) {
      auto message = co_await subscriber.receive();
      if (!message || message->payload != numbered(in_order)) co_return in_order;
      ++in_order;
    }
    co_return in_order;
  };
  auto body = [&]() -> wb::Task<void> {
    Subscriber subscriber = co_await subscribed(server, "pool");
    auto receiving = wb::spawn(receive_all(std::move(subscriber)));
    Client publisher = co_await client_of(server);
    for (int i = 0; i < count; ++i) {
      auto published = co_await publisher.command("PUBLISH", "pool", numbered(i));
      REQUIRE(published.has_value());
    }
    int const received = co_await receiving;
    INFO("the subscriber's task on a worker received " << received << " of " << count
                                                       << " messages in order");
    CHECK(received == count);
  };
  runtime.block_on(body());
}

TEST_CASE("the server going away ends the subscriber with an error value") {
  auto server = wb::testing::RedisServer::start_or_skip();
  auto runtime = wb::Runtime::builder().build();
  auto body = [&]() -> wb::Task<void> {
    Subscriber subscriber = co_await subscribed(server, "doomed");
    Client publisher = co_await client_of(server);
    auto published = co_await publisher.command("PUBLISH", "doomed", "last words");
    REQUIRE(published.has_value());
    // One more round trip: by its reply the server has written the message to the subscriber
    // (it flushes every client's pending output before it reads the next command).
    auto ping = co_await publisher.command("PING");
    REQUIRE(ping.has_value());
    server.stop();
    // The message that arrived before the end is still delivered, then the error.
    auto first = co_await wb::next(subscriber);
    REQUIRE(first.has_value());
    REQUIRE(first->has_value());
    CHECK((*first)->payload == "last words");
    auto second = co_await wb::next(subscriber);
    REQUIRE(second.has_value());
    REQUIRE_FALSE(second->has_value());
    INFO("the error: " << second->error().message);
    CHECK((second->error().kind == Error::Kind::eof || second->error().kind == Error::Kind::io));
    auto third = co_await wb::next(subscriber);
    CHECK_FALSE(third.has_value());  // the stream has ended
    auto again = co_await subscriber.receive();
    CHECK_FALSE(again.has_value());  // receive() keeps answering the error
    CHECK_FALSE(subscriber.is_open());
  };
  runtime.block_on(body());
}

TEST_CASE("a slow subscriber keeps a bounded number of messages and loses none") {
  auto server = wb::testing::RedisServer::start_or_skip();
  auto runtime = wb::Runtime::builder().build();
  constexpr int count = 2000;
  constexpr std::size_t capacity = 8;
  std::string const padding(100, 'x');
  auto body = [&]() -> wb::Task<void> {
    Subscriber subscriber = co_await subscribed(server, "flood", capacity);
    Client publisher = co_await client_of(server);
    for (int i = 0; i < count; ++i) {
      auto published = co_await publisher.command("PUBLISH", "flood", numbered(i) + padding);
      REQUIRE(published.has_value());
    }
    // Everything is published and nobody has received yet: what waits in memory is bounded by
    // the capacity plus one read (16 KiB) of messages of more than 100 bytes.
    std::size_t const kept = subscriber.buffered();
    INFO(kept << " of " << count << " messages kept by a subscriber of capacity " << capacity);
    CHECK(kept >= 1);
    CHECK(kept <= capacity + 16 * 1024 / 100);
    for (int i = 0; i < count; ++i) {
      auto message = co_await subscriber.receive();
      REQUIRE(message.has_value());
      if (message->payload != numbered(i) + padding) {
        FAIL("message " << i << " was not the one published " << i << "th");
      }
    }
  };
  runtime.block_on(body());
}

TEST_CASE("a closed subscriber answers receive and subscribe with an error") {
  auto server = wb::testing::RedisServer::start_or_skip();
  auto runtime = wb::Runtime::builder().worker_threads(2).build();
  auto body = [&]() -> wb::Task<void> {
    for (int round = 0; round < 10; ++round) {
      Subscriber subscriber = co_await subscribed(server, "quiet");
      auto subscribe_more = subscriber.subscribe("later");  // made, never awaited
      subscriber.close();
      auto message = co_await subscriber.receive();
      REQUIRE_FALSE(message.has_value());
      CHECK(message.error().kind == Error::Kind::closed);
      auto late = co_await std::move(subscribe_more);
      CHECK_FALSE(late.has_value());
    }
  };
  runtime.block_on(body());
}

TEST_CASE("after unsubscribe a channel's messages no longer arrive") {
  auto server = wb::testing::RedisServer::start_or_skip();
  auto runtime = wb::Runtime::builder().build();
  auto body = [&]() -> wb::Task<void> {
    Subscriber subscriber = co_await subscribed(server, "room:a");
    auto second = co_await subscriber.subscribe("room:b");
    REQUIRE(second.has_value());
    auto left = co_await subscriber.unsubscribe("room:a");
    REQUIRE(left.has_value());
    auto never_joined = co_await subscriber.unsubscribe("room:never");  // nothing to confirm
    REQUIRE(never_joined.has_value());
    Client publisher = co_await client_of(server);
    auto to_a = co_await publisher.command("PUBLISH", "room:a", "nobody hears this");
    REQUIRE(to_a.has_value());
    CHECK(to_a->integer() == 0);
    auto to_b = co_await publisher.command("PUBLISH", "room:b", "still here");
    REQUIRE(to_b.has_value());
    CHECK(to_b->integer() == 1);
    auto message = co_await subscriber.receive();
    REQUIRE(message.has_value());
    CHECK(message->channel == "room:b");
    CHECK(message->payload == "still here");
    auto rejoined = co_await subscriber.subscribe("room:a");  // and back again
    REQUIRE(rejoined.has_value());
    auto again = co_await publisher.command("PUBLISH", "room:a", "welcome back");
    REQUIRE(again.has_value());
    auto back = co_await subscriber.receive();
    REQUIRE(back.has_value());
    CHECK(back->payload == "welcome back");
  };
  runtime.block_on(body());
}
