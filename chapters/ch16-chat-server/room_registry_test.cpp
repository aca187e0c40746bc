// Tests for the room registry, without sockets: the registry's calls run on a one-thread runtime
// and each member's Subscription is read with try_next (what is there now) or next(). Nothing
// here waits for the clock.
#include <chat_protocol.hpp>
#include <cstdint>
#include <optional>
#include <room_backend.hpp>
#include <room_registry.hpp>
#include <string>
#include <vector>
#include <wb/exec/runtime.hpp>
#include <wb/testing/catch.hpp>

using chat::InMemoryRoomRegistry;
using chat::RoomMessage;

namespace {

RoomMessage said(std::string room, std::string from, std::string text, std::uint64_t origin) {
  return RoomMessage{std::move(room), std::move(from), std::move(text), origin, 0};
}

std::string show(std::vector<chat::RoomInfo> const& rooms) {
  std::string text;
  for (auto const& room : rooms)
    text += " " + room.name + " (" + std::to_string(room.members) + ")";
  return rooms.empty() ? " (none)" : text;
}

/// Everything the subscription has now.
std::vector<RoomMessage> drain(InMemoryRoomRegistry::Subscription& subscription) {
  std::vector<RoomMessage> got;
  while (auto message = subscription.try_next()) got.push_back(*message);
  return got;
}

}  // namespace

TEST_CASE("a message published to a room reaches every member once") {
  auto runtime = wb::Runtime::builder().build();
  InMemoryRoomRegistry registry;
  auto alice = runtime.block_on(registry.join("#general", 1));
  auto bob = runtime.block_on(registry.join("#general", 2));
  auto carol = runtime.block_on(registry.join("#other", 3));
  std::size_t const reached =
      runtime.block_on(registry.publish(said("#general", "alice", "hi", 1)));
  auto const for_alice = drain(alice);
  auto const for_bob = drain(bob);
  auto const for_carol = drain(carol);
  INFO(
      "two members joined #general and one #other; one message was published to #general: "
      "publish said it reached "
      << reached << " members, and the members of #general then had " << for_alice.size() << " and "
      << for_bob.size() << " messages, the member of #other " << for_carol.size()
      << ". Each member of the room gets each message once (its own receiver of the room's "
         "broadcast channel), and nobody outside the room does");
  CHECK(reached == 2);
  REQUIRE(for_alice.size() == 1);
  REQUIRE(for_bob.size() == 1);
  CHECK(for_bob[0].text == "hi");
  CHECK(for_bob[0].origin == 1);
  CHECK(for_carol.empty());
}

TEST_CASE("a room left by its last member is removed from the rooms list") {
  auto runtime = wb::Runtime::builder().build();
  InMemoryRoomRegistry registry;
  {
    auto a = runtime.block_on(registry.join("#general", 1));
    auto b = runtime.block_on(registry.join("#rust", 2));
    auto c = runtime.block_on(registry.join("#rust", 3));
    auto const both = runtime.block_on(registry.rooms());
    std::vector<chat::RoomInfo> const expected{{"#general", 1}, {"#rust", 2}};
    INFO("after 1 member joined #general and 2 joined #rust, rooms() gave:"
         << show(both) << ". It lists every room with its member count, sorted by name");
    REQUIRE(both == expected);
  }
  runtime.block_on(registry.leave("#rust", 2));
  auto const one_left = runtime.block_on(registry.rooms());
  runtime.block_on(registry.leave("#rust", 3));
  auto const none_left = runtime.block_on(registry.rooms());
  {
    std::vector<chat::RoomInfo> const expected{{"#general", 1}, {"#rust", 1}};
    INFO("after 1 of the 2 members of #rust left, rooms() gave:" << show(one_left));
    CHECK(one_left == expected);
  }
  std::vector<chat::RoomInfo> const expected{{"#general", 1}};
  INFO("after both members of #rust left, rooms() gave:"
       << show(none_left)
       << ". An empty room is removed when its last member leaves: otherwise every room anyone "
          "ever named stays in the map (and in /rooms) for as long as the server runs");
  CHECK(none_left == expected);
}

TEST_CASE("a member 150 messages behind gets a missed notice and then the rest") {
  auto runtime = wb::Runtime::builder().build();
  InMemoryRoomRegistry registry(chat::RegistryConfig{100, 20});
  auto slow = runtime.block_on(registry.join("#general", 1));
  for (int i = 1; i <= 150; ++i) {
    runtime.block_on(registry.publish(said("#general", "bob", "m" + std::to_string(i), 2)));
  }
  auto const first = runtime.block_on(slow.next());
  {
    INFO(
        "a member read nothing while 150 messages went to a room that holds 100; its next() "
        "then gave "
        << (first ? "\"" + chat::render(*first) + "\" (missed = " + std::to_string(first->missed) +
                        ")"
                  : std::string("nothing, as if the room were gone"))
        << ". A lagged receive is not the end: it becomes the notice \"you missed 50 "
           "messages\" (missed = 50), and the member carries on with the oldest message left");
    REQUIRE(first.has_value());
    CHECK(first->missed == 50);
    CHECK(first->text == "you missed 50 messages");
    CHECK(first->from.empty());
  }
  auto const rest = drain(slow);
  INFO("after the notice the member got " << rest.size()
                                          << " more messages; the room still held the last 100 "
                                             "(m51 to m150), and all of them must follow");
  REQUIRE(rest.size() == 100);
  CHECK(rest.front().text == "m51");
  CHECK(rest.back().text == "m150");
  runtime.block_on(registry.publish(said("#general", "bob", "after", 2)));
  auto const after = runtime.block_on(slow.next());
  REQUIRE(after.has_value());
  CHECK(after->text == "after");
}

TEST_CASE("a member who joins gets the last 20 messages of the room first") {
  auto runtime = wb::Runtime::builder().build();
  InMemoryRoomRegistry registry(chat::RegistryConfig{100, 20});
  auto talker = runtime.block_on(registry.join("#general", 1));
  for (int i = 1; i <= 25; ++i) {
    runtime.block_on(registry.publish(said("#general", "alice", "m" + std::to_string(i), 1)));
  }
  RoomMessage const notice{"#general", "", "bob joined #general", 2, 0};
  runtime.block_on(registry.publish(notice));
  auto late = runtime.block_on(registry.join("#general", 2));
  auto const replayed = drain(late);
  std::string texts;
  for (auto const& message : replayed) texts += " " + message.text;
  INFO(
      "25 messages and then a server notice went to #general before a member joined; the "
      "member then had "
      << replayed.size() << " messages:" << (texts.empty() ? " (none)" : texts)
      << ". It must get the last 20 said (m6 to m25), oldest first, and no notice: keep a "
         "history of the last 20 per room and give a copy to each member who joins, taken "
         "under the same lock as its subscription");
  REQUIRE(replayed.size() == 20);
  CHECK(replayed.front().text == "m6");
  CHECK(replayed.back().text == "m25");
  runtime.block_on(registry.publish(said("#general", "alice", "live", 1)));
  auto const live = runtime.block_on(late.next());
  REQUIRE(live.has_value());
  CHECK(live->text == "live");
}
