// Tests for the room registry, without sockets: the registry's calls run on a one-thread runtime
// and each member's Subscription is read with try_next (what is there now) or next(). Nothing
// here waits for the clock.
#include <array>
#include <chat_protocol.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <room_backend.hpp>
#include <room_registry.hpp>
#include <set>
#include <string>
#include <vector>
#include <wb/exec/runtime.hpp>
#include <wb/task/join_handle.hpp>
#include <wb/task/spawn.hpp>
#include <wb/task/task.hpp>
#include <wb/testing/catch.hpp>
#include <wb/testing/run_with_deadline.hpp>
#include <wb/testing/test_seed.hpp>
#include <wb/testing/wake_counter.hpp>

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

namespace {

/// The registry's rules written the plainest way, for the randomized test below: a room keeps
/// every message it ever sent (its log), its members and the history a joiner is given; a member
/// reads its replay, then the room's log from where it joined. The room's channel holds the last
/// `capacity` messages: a member further behind is told how many it lost and goes on with the
/// oldest one still held.
class RegistryModel {
 public:
  explicit RegistryModel(chat::RegistryConfig config) : config_(config) {}

  void join(std::string const& name, std::uint64_t id) {
    auto& room = rooms_[name];
    room.members.insert(id);
    members_[id] = Member{name, room.history, room.log.size()};
  }

  void leave(std::uint64_t id) {
    auto member = members_.find(id);
    auto room = rooms_.find(member->second.room);
    room->second.members.erase(id);
    if (room->second.members.empty()) rooms_.erase(room);  // its history goes with it
    members_.erase(member);
  }

  std::size_t publish(RoomMessage const& message) {
    auto room = rooms_.find(message.room);
    if (room == rooms_.end()) return 0;
    if (!message.from.empty() && config_.history > 0) {
      room->second.history.push_back(message);
      if (room->second.history.size() > config_.history) room->second.history.pop_front();
    }
    room->second.log.push_back(message);
    return room->second.members.size();
  }

  std::optional<RoomMessage> next(std::uint64_t id) {
    auto& member = members_.at(id);
    if (!member.replay.empty()) {
      RoomMessage first = member.replay.front();
      member.replay.pop_front();
      return first;
    }
    auto const& log = rooms_.at(member.room).log;
    if (member.next >= log.size()) return std::nullopt;
    std::size_t const oldest = log.size() > config_.capacity ? log.size() - config_.capacity : 0;
    if (member.next < oldest) {
      std::uint64_t const missed = oldest - member.next;
      member.next = oldest;
      return RoomMessage{member.room, "", "you missed " + std::to_string(missed) + " messages", 0,
                         missed};
    }
    return log[member.next++];
  }

  std::vector<chat::RoomInfo> rooms() const {
    std::vector<chat::RoomInfo> list;
    for (auto const& entry : rooms_) list.push_back({entry.first, entry.second.members.size()});
    return list;
  }

 private:
  struct Room {
    std::set<std::uint64_t> members;
    std::deque<RoomMessage> history;
    std::vector<RoomMessage> log;
  };
  struct Member {
    std::string room;
    std::deque<RoomMessage> replay;
    std::size_t next = 0;  // the number of the next message of the room's log to read
  };

  chat::RegistryConfig config_;
  std::map<std::string, Room> rooms_;
  std::map<std::uint64_t, Member> members_;
};

std::string show(std::vector<RoomMessage> const& messages) {
  std::string text;
  for (auto const& message : messages) text += (text.empty() ? "" : " | ") + chat::render(message);
  return text.empty() ? "nothing" : text;
}

std::string show(std::optional<RoomMessage> const& message) {
  return message ? chat::render(*message) : std::string("nothing");
}

/// One poll of a member's next(), with a waker nobody needs: Ready with what it gives at once,
/// or nothing if it would wait (the test never waits for a message the model says is not there).
std::optional<std::optional<RoomMessage>> next_at_once(
    InMemoryRoomRegistry::Subscription& subscription) {
  auto wakes = wb::testing::WakeCounter::make();
  wb::Waker const waker = wakes->waker();
  wb::Context cx(waker);
  auto next = subscription.next();
  auto polled = next.poll(cx);
  if (polled.is_pending()) return std::nullopt;  // dropping a waiting next() loses nothing
  return std::move(polled).value();
}

std::string const registry_rules =
    "The rules: a member who joins gets the room's last history messages said (server notices "
    "are not history), oldest first, then every message published to the room while it is a "
    "member, once and in order, from next() and try_next() alike; a member more than the "
    "channel's capacity behind gets \"you missed N messages\" once and goes on with the oldest "
    "message still held; a room left by its last member is gone, history and all. This usually "
    "means one of: the history is moved into the first joiner's Subscription instead of copied "
    "(the next joiner gets none); try_next() or next() turns a lag into nothing, or into an end, "
    "instead of the notice; the history is trimmed to the wrong length or keeps notices; a room "
    "(or its history) outlives its last member";

}  // namespace

TEST_CASE("random joins leaves and messages reach each member as a plain model says") {
  // Differential: 200 random sequences of 30 steps — four members join, move between three
  // rooms, say things, read with next() or try_next(), list the rooms and leave, the server
  // sends notices — on a registry whose channel holds 2 to 5 messages and whose history is 0 to
  // 3, against RegistryModel above. The seed is new each run and printed with a failure.
  auto const seed = wb::testing::TestSeed::pick();
  std::mt19937_64 random(seed.value);
  auto pick = [&random](std::size_t count) {
    return std::uniform_int_distribution<std::size_t>(0, count - 1)(random);
  };
  std::array<std::string, 3> const names{"#a", "#b", "#c"};
  std::array<std::size_t, 3> const capacities{2, 3, 5};
  std::array<std::size_t, 3> const histories{0, 1, 3};
  auto runtime = wb::Runtime::builder().build();
  for (int round = 1; round <= 200; ++round) {
    chat::RegistryConfig const config{capacities[pick(3)], histories[pick(3)]};
    InMemoryRoomRegistry registry(config);
    RegistryModel model(config);
    std::array<std::optional<InMemoryRoomRegistry::Subscription>, 5> member;  // by id, 1 to 4
    std::string steps;
    int said = 0;
    for (int step = 1; step <= 30; ++step) {
      auto fail = [&](std::string const& what) {
        FAIL("random sequence " << round << " of 200 (a room's channel holds " << config.capacity
                                << " messages, its history " << config.history << "), step " << step
                                << ": " << what << ".\nThe steps:" << steps << "\n"
                                << registry_rules << " (" << seed.replay("ch16") << ")");
      };
      std::uint64_t const id = 1 + pick(4);
      std::string const who = "u" + std::to_string(id);
      auto& subscription = member[id];
      std::string const room = subscription ? subscription->room() : "";
      auto const action = pick(20);
      if (!subscription) {  // join a room
        std::string const name = names[pick(3)];
        steps += "\n  " + std::to_string(step) + ". " + who + " joins " + name;
        subscription.emplace(runtime.block_on(registry.join(name, id)));
        model.join(name, id);
      } else if (action < 6 || action == 19) {  // say something, or the server does
        bool const notice = action == 19;
        RoomMessage const message{notice ? names[pick(3)] : room, notice ? "" : who,
                                  (notice ? "n" : "m") + std::to_string(++said), notice ? 0 : id,
                                  0};
        std::size_t const reached = runtime.block_on(registry.publish(message));
        std::size_t const expected = model.publish(message);
        steps += "\n  " + std::to_string(step) + ". " +
                 (notice ? "the server sends " : who + " says ") + message.text + " in " +
                 message.room + " (reached " + std::to_string(reached) + ")";
        if (reached != expected) {
          fail("publish said it reached " + std::to_string(reached) + " members of " +
               message.room + ", which has " + std::to_string(expected));
        }
      } else if (action < 10) {  // everything there is now, with try_next()
        std::vector<RoomMessage> got;
        while (auto message = subscription->try_next()) {
          got.push_back(*message);
          if (got.size() > 100) break;
        }
        std::vector<RoomMessage> expected;
        while (auto message = model.next(id)) expected.push_back(*message);
        steps +=
            "\n  " + std::to_string(step) + ". " + who + " reads all with try_next(): " + show(got);
        if (got != expected) {
          fail(who + " in " + room + " read with try_next() until it gave nothing: " + show(got) +
               "; by the rules it has: " + show(expected));
        }
      } else if (action < 13) {  // one message, with next()
        auto const got = next_at_once(*subscription);
        auto const expected = model.next(id);
        steps += "\n  " + std::to_string(step) + ". " + who +
                 " reads one with next(): " + (got ? show(*got) : std::string("it waits"));
        if (!got && expected) {
          fail(who + " in " + room + " called next(), which waited (Pending), though by the " +
               "rules it has " + show(expected));
        }
        if (got && *got != expected) {
          fail(who + " in " + room + " called next() and got " +
               (*got ? show(*got) : std::string("nothing: the end, as if the room were gone")) +
               "; by the rules it gets " +
               (expected ? show(expected) : std::string("nothing yet (it waits)")));
        }
      } else if (action < 15) {  // move to another room, as /join does
        std::size_t const now_in = room == names[0] ? 0 : room == names[1] ? 1 : 2;
        std::string const name = names[(now_in + 1 + pick(2)) % 3];  // another room
        steps += "\n  " + std::to_string(step) + ". " + who + " moves from " + room + " to " + name;
        runtime.block_on(registry.leave(room, id));
        model.leave(id);
        subscription = runtime.block_on(registry.join(name, id));
        model.join(name, id);
      } else if (action < 17) {  // leave and disconnect
        steps += "\n  " + std::to_string(step) + ". " + who + " leaves " + room + " and goes";
        runtime.block_on(registry.leave(room, id));
        subscription.reset();
        model.leave(id);
      } else {  // the rooms list
        auto const got = runtime.block_on(registry.rooms());
        auto const expected = model.rooms();
        steps += "\n  " + std::to_string(step) + ". rooms():" + show(got);
        if (got != expected) {
          fail("rooms() gave" + show(got) + "; by the rules:" + show(expected));
        }
      }
    }
  }
}

namespace {

constexpr int says_each = 50;  // messages each member sends in the threaded test

/// A member on a worker thread: sends its messages to its room (every 10, a visit to the lobby,
/// where it asks for the rooms list), reads what the room has as it goes, waits for the rest,
/// leaves, and asks for the rooms list once more.
wb::Task<std::vector<RoomMessage>> talk_and_listen(InMemoryRoomRegistry registry,
                                                   InMemoryRoomRegistry::Subscription subscription,
                                                   std::uint64_t id, std::size_t expected) {
  std::string const room = subscription.room();
  std::vector<RoomMessage> heard;
  int said = 0;
  while (heard.size() < expected) {
    if (said < says_each) {
      RoomMessage const message{room, "u" + std::to_string(id), std::to_string(said), id, 0};
      co_await registry.publish(message);
      ++said;
      if (said % 10 == 0) {  // a short visit to the lobby, which others enter and leave too
        std::string const lobby = "#lobby";
        auto visit = co_await registry.join(lobby, id);
        (void)co_await registry.rooms();
        co_await registry.leave(lobby, id);
      }
    }
    while (auto message = subscription.try_next()) heard.push_back(*message);
    if (said == says_each && heard.size() < expected) {
      auto next = co_await subscription.next();
      if (!next) break;  // the room is gone: a wrong answer, reported by the test
      heard.push_back(*next);
    }
  }
  co_await registry.leave(room, id);
  (void)co_await registry.rooms();  // a look at the list on the way out, while others leave
  co_return heard;
}

struct Crowd {
  std::vector<std::vector<RoomMessage>> heard;  // by member, ids 1 to 8
  std::vector<chat::RoomInfo> rooms_after;
};

wb::Task<Crowd> crowd_on_workers(InMemoryRoomRegistry registry) {
  // Everyone joins before anyone speaks: a member hears what is said after its join only.
  std::vector<InMemoryRoomRegistry::Subscription> subscriptions;
  for (std::uint64_t id = 1; id <= 8; ++id) {
    std::string const room = id <= 4 ? "#left" : "#right";
    auto subscription = co_await registry.join(room, id);
    subscriptions.push_back(std::move(subscription));
  }
  std::vector<wb::JoinHandle<std::vector<RoomMessage>>> members;
  for (std::uint64_t id = 1; id <= 8; ++id) {
    members.push_back(
        wb::spawn(talk_and_listen(registry, std::move(subscriptions[id - 1]), id, 4 * says_each)));
  }
  Crowd crowd;
  for (auto& member : members) crowd.heard.push_back(co_await member);
  crowd.rooms_after = co_await registry.rooms();
  co_return crowd;
}

/// "" when a member heard every message of its room once, in each sender's order, and nothing
/// else; else what was wrong.
std::string check_heard(std::uint64_t id, std::vector<RoomMessage> const& heard) {
  std::string const room = id <= 4 ? "#left" : "#right";
  std::map<std::string, int> next_of;  // the number each sender's next message must carry
  for (auto const& message : heard) {
    if (message.room != room || message.missed != 0 || message.from.empty()) {
      return "member " + std::to_string(id) + " of " + room + " got \"" + chat::render(message) +
             "\", which is not a message said in its room";
    }
    int const number = std::stoi(message.text);
    int& expected = next_of[message.from];
    if (number != expected) {
      return "member " + std::to_string(id) + " of " + room + " got message " + message.text +
             " of " + message.from + " where message " + std::to_string(expected) +
             " was next: each member gets each sender's messages once and in order";
    }
    ++expected;
  }
  if (heard.size() != 4 * says_each) {
    return "member " + std::to_string(id) + " of " + room + " got " + std::to_string(heard.size()) +
           " messages of the " + std::to_string(4 * says_each) + " said in its room";
  }
  return "";
}

}  // namespace

TEST_CASE("eight members on four worker threads each hear every message of their room") {
  // The chat server runs its sessions on worker threads, so the registry is shared by them:
  // every call takes the one mutex. Eight members in two rooms each send 50 messages, visit a
  // lobby now and then (joining it, listing the rooms, leaving it), read their room and leave,
  // all at once on four worker threads.
  // A call that skips the lock may still give the right answer here; check runs this test
  // again under ThreadSanitizer (threads = true), which sees the race itself.
  InMemoryRoomRegistry registry(chat::RegistryConfig{1000, 5});
  auto crowd = wb::testing::run_with_deadline(
      std::chrono::milliseconds(10000),
      "eight members on four worker threads, each sending 50 messages and reading its room, "
      "did not finish in 10 s. This usually means a member's next() that is never woken by a "
      "publish to its room, or a call that blocks (a lock taken twice, or never released)",
      [registry] {
        auto runtime = wb::Runtime::builder().worker_threads(4).build();
        return runtime.block_on(crowd_on_workers(registry));
      });
  for (std::uint64_t id = 1; id <= 8; ++id) {
    auto const problem = check_heard(id, crowd.heard[id - 1]);
    INFO(problem);
    CHECK(problem.empty());
  }
  INFO("after every member had left, rooms() gave:" << show(crowd.rooms_after)
                                                    << "; a room goes with its last member");
  CHECK(crowd.rooms_after.empty());
}
