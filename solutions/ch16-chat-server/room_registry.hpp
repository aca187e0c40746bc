// Reference solution: the in-memory room registry — one wb::broadcast channel per room in a map
// under one mutex, the members of each room, its last N messages, and the nicknames in use. An
// empty room is removed at once; a member that falls behind gets a "you missed N messages"
// notice and carries on from the oldest message still there.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <room_backend.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>
#include <wb/sync/broadcast.hpp>
#include <wb/task/task.hpp>

namespace chat {

struct RegistryConfig {
  std::size_t capacity = 100;  // messages a room's channel holds for its slowest member
  std::size_t history = 20;    // messages replayed to a member who joins
};

// ANCHOR: lag_notice
/// What a member is given instead of the messages it lost by falling `missed` behind.
inline RoomMessage lag_notice(std::string const& room, std::uint64_t missed) {
  return RoomMessage{room, "", "you missed " + std::to_string(missed) + " messages", 0, missed};
}
// ANCHOR_END: lag_notice

class InMemoryRoomRegistry {
 public:
  // ANCHOR: subscription
  class Subscription {
   public:
    Subscription(std::string room, std::deque<RoomMessage> replay,
                 wb::broadcast::Receiver<RoomMessage> receiver)
        : room_(std::move(room)), replay_(std::move(replay)), receiver_(std::move(receiver)) {}

    std::string const& room() const noexcept { return room_; }

    /// The history first, then each new message; a lag becomes a notice; nothing once the
    /// room is gone. The receive takes a message only when it is Ready: dropping it is safe.
    wb::Task<std::optional<RoomMessage>> next() {
      if (auto replayed = take_replay()) co_return replayed;
      auto received = co_await receiver_.recv();
      if (received) co_return std::move(*received);
      if (received.error().is_lagged()) co_return lag_notice(room_, received.error().skipped());
      co_return std::nullopt;  // closed: the room is gone
    }

    /// What next() would give at once, without waiting.
    std::optional<RoomMessage> try_next() {
      if (auto replayed = take_replay()) return replayed;
      auto received = receiver_.try_recv();
      if (received) return std::move(*received);
      if (received.error().kind == wb::broadcast::TryRecvError::Kind::lagged) {
        return lag_notice(room_, received.error().skipped);
      }
      return std::nullopt;
    }

   private:
    std::optional<RoomMessage> take_replay() {
      if (replay_.empty()) return std::nullopt;
      RoomMessage first = std::move(replay_.front());
      replay_.pop_front();
      return first;
    }

    std::string room_;
    std::deque<RoomMessage> replay_;  // the room's history at the moment of joining
    wb::broadcast::Receiver<RoomMessage> receiver_;
  };
  // ANCHOR_END: subscription

  explicit InMemoryRoomRegistry(RegistryConfig config = {})
      : state_(std::make_shared<State>(config)) {}

  wb::Task<bool> claim_nick(std::uint64_t id, std::string name) {
    co_return state_->claim_nick(id, name);
  }
  wb::Task<void> release_nick(std::uint64_t id) {
    state_->release_nick(id);
    co_return;
  }
  wb::Task<Subscription> join(std::string room, std::uint64_t id) {
    co_return state_->join(room, id);
  }
  wb::Task<void> leave(std::string room, std::uint64_t id) {
    state_->leave(room, id);
    co_return;
  }
  wb::Task<std::size_t> publish(RoomMessage message) { co_return state_->publish(message); }
  wb::Task<std::vector<RoomInfo>> rooms() { co_return state_->rooms(); }
  wb::Task<std::vector<std::string>> who(std::string room) { co_return state_->who(room); }
  wb::Task<void> announce_all(std::string text) {
    state_->announce_all(text);
    co_return;
  }

 private:
  struct Room {
    explicit Room(std::size_t capacity)
        : sender(wb::broadcast::channel<RoomMessage>(capacity).first) {}
    wb::broadcast::Sender<RoomMessage> sender;
    std::set<std::uint64_t> members;
    std::deque<RoomMessage> history;  // the last RegistryConfig::history messages said
  };

  struct State {
    explicit State(RegistryConfig config) : config(config) {}

    bool claim_nick(std::uint64_t id, std::string const& name) {
      std::lock_guard lock(mutex);
      auto taken = owners.find(name);
      if (taken != owners.end()) return taken->second == id;
      auto old = nicks.find(id);
      if (old != nicks.end()) owners.erase(old->second);
      owners[name] = id;
      nicks[id] = name;
      return true;
    }

    void release_nick(std::uint64_t id) {
      std::lock_guard lock(mutex);
      auto old = nicks.find(id);
      if (old == nicks.end()) return;
      owners.erase(old->second);
      nicks.erase(old);
    }

    // ANCHOR: join_leave
    Subscription join(std::string const& name, std::uint64_t id) {
      std::lock_guard lock(mutex);
      auto [room, created] = rooms_by_name.try_emplace(name, config.capacity);
      (void)created;
      room->second.members.insert(id);
      // History and subscription under the one lock: no message is both replayed and
      // received, and none falls between the two.
      return Subscription(name, room->second.history, room->second.sender.subscribe());
    }

    void leave(std::string const& name, std::uint64_t id) {
      std::lock_guard lock(mutex);
      auto room = rooms_by_name.find(name);
      if (room == rooms_by_name.end()) return;
      room->second.members.erase(id);
      if (room->second.members.empty()) rooms_by_name.erase(room);  // an empty room goes
    }
    // ANCHOR_END: join_leave

    // ANCHOR: publish
    std::size_t publish(RoomMessage const& message) {
      std::lock_guard lock(mutex);
      auto room = rooms_by_name.find(message.room);
      if (room == rooms_by_name.end()) return 0;
      if (!message.from.empty() && config.history > 0) {  // notices are not history
        room->second.history.push_back(message);
        while (room->second.history.size() > config.history) room->second.history.pop_front();
      }
      auto sent = room->second.sender.send(message);
      return sent ? *sent : 0;  // no receiver at all: nobody to reach
    }
    // ANCHOR_END: publish

    std::vector<RoomInfo> rooms() {
      std::lock_guard lock(mutex);
      std::vector<RoomInfo> list;
      for (auto const& [name, room] : rooms_by_name) list.push_back({name, room.members.size()});
      return list;
    }

    std::vector<std::string> who(std::string const& name) {
      std::lock_guard lock(mutex);
      std::vector<std::string> names;
      auto room = rooms_by_name.find(name);
      if (room == rooms_by_name.end()) return names;
      for (auto id : room->second.members) {
        auto nick = nicks.find(id);
        names.push_back(nick == nicks.end() ? "?" : nick->second);
      }
      std::sort(names.begin(), names.end());
      return names;
    }

    void announce_all(std::string const& text) {
      std::vector<std::string> names;
      {
        std::lock_guard lock(mutex);
        for (auto const& entry : rooms_by_name) names.push_back(entry.first);
      }
      for (auto const& name : names) publish(RoomMessage{name, "", text, 0, 0});
    }

    RegistryConfig const config;
    std::mutex mutex;
    std::map<std::string, Room> rooms_by_name;    // sorted: /rooms lists them in order
    std::map<std::string, std::uint64_t> owners;  // nickname -> client id
    std::map<std::uint64_t, std::string> nicks;   // client id -> nickname
  };

  std::shared_ptr<State> state_;
};

static_assert(RoomBackend<InMemoryRoomRegistry>);

}  // namespace chat
