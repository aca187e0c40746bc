// RedisRoomBackend — the rooms of several chat servers shared through Redis: a RoomBackend made of
// this server's own registry (any RoomBackend: the in-memory one, yours or the reference) for the
// fan-out to its clients, Redis pub/sub to carry each message to the other servers, and a
// presence key per server, with an expiry, for /rooms and /who across servers. (Provided.)
//
// Redis is reached through wb::redis (hiredis driven by the wb I/O driver): no second event loop,
// no blocking call. When Redis goes away the server says so once on stderr, its own rooms go on
// alone, and it reconnects in the background.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <room_backend.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include <wb/combinator/select.hpp>
#include <wb/core/expected.hpp>
#include <wb/redis/client.hpp>
#include <wb/redis/subscriber.hpp>
#include <wb/signal/shutdown_trigger.hpp>
#include <wb/sync/notify.hpp>
#include <wb/task/join_handle.hpp>
#include <wb/task/spawn.hpp>
#include <wb/task/task.hpp>
#include <wb/time/sleep.hpp>
#include <wb/time/timeout.hpp>

namespace chat {

struct RedisBackendConfig {
  std::string host = "127.0.0.1";  // an IP address (a name would be resolved with a blocking call)
  int port = 6379;
  std::chrono::milliseconds presence_ttl{10'000};    // a server silent this long is taken as gone
  std::chrono::milliseconds command_timeout{2'000};  // a Redis that does not answer is gone
  std::chrono::milliseconds retry_every{1'000};      // reconnection attempts while it is gone
};

inline constexpr std::string_view redis_room_prefix = "chat:room:";          // + "#general"
inline constexpr std::string_view redis_presence_prefix = "chat:presence:";  // + server id

// ANCHOR: wire
/// One message on its way through Redis: published on channel "chat:room:<room>", its payload
/// the sending server's id, the nickname and the text, one per line (an id or a nickname holds no
/// newline; the text comes last). The client id stays home: it means nothing on another server.
inline std::string encode_message(std::string const& server, RoomMessage const& message) {
  return server + "\n" + message.from + "\n" + message.text;
}

struct WireMessage {
  std::string server;  // the id of the server that published it
  RoomMessage message;
};

/// The message of a payload published on `channel`; nothing if it is not one of ours.
inline std::optional<WireMessage> decode_message(std::string_view channel,
                                                 std::string_view payload) {
  if (channel.substr(0, redis_room_prefix.size()) != redis_room_prefix) return std::nullopt;
  auto const first = payload.find('\n');
  if (first == std::string_view::npos) return std::nullopt;
  auto const second = payload.find('\n', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  WireMessage wire;
  wire.server = std::string(payload.substr(0, first));
  wire.message.room = std::string(channel.substr(redis_room_prefix.size()));
  wire.message.from = std::string(payload.substr(first + 1, second - first - 1));
  wire.message.text = std::string(payload.substr(second + 1));
  wire.message.origin = 0;  // from no client of this server: every local member gets it
  return wire;
}
// ANCHOR_END: wire

/// One server's presence: each of its rooms with the nicknames of its members there.
using Presence = std::map<std::string, std::vector<std::string>>;

/// One line per room: its name, then each member's nickname, separated by spaces (names hold
/// none).
inline std::string encode_presence(Presence const& presence) {
  std::string text;
  for (auto const& room : presence) {
    text += room.first;
    for (auto const& name : room.second) text += " " + name;
    text += "\n";
  }
  return text;
}

inline Presence decode_presence(std::string_view text) {
  Presence presence;
  while (!text.empty()) {
    auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    auto space = line.find(' ');
    auto& names = presence[std::string(line.substr(0, space))];
    while (space != std::string_view::npos) {
      line.remove_prefix(space + 1);
      space = line.find(' ');
      if (space != 0) names.emplace_back(line.substr(0, space));
    }
  }
  return presence;
}

/// A server id that no other server picks in practice: 64 random bits in hex.
inline std::string random_server_id() {
  std::random_device seed;
  std::uint64_t const bits = (std::uint64_t{seed()} << 32) ^ seed();
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(bits));
  return text;
}

template <RoomBackend Local>
class RedisRoomBackend {
 public:
  using Subscription = typename Local::Subscription;

  /// Connects to Redis (two connections: one for commands, one subscribed to every room), and
  /// starts this server's two background tasks: the subscriber feeding the local rooms and the
  /// presence refresher. Call it inside the runtime; an Error if Redis cannot be reached.
  static wb::Task<wb::Expected<RedisRoomBackend, wb::redis::Error>> connect(
      Local local, RedisBackendConfig config) {
    auto state = std::make_shared<State>(std::move(local), std::move(config));
    auto links = co_await open_links(state);
    if (!links) co_return wb::unexpected(std::move(links.error()));
    state->client = std::make_shared<wb::redis::Client>(std::move(links->client));
    auto link = wb::spawn(run_link(state, std::move(links->subscriber)));
    auto presence = wb::spawn(run_presence(state));
    {
      std::lock_guard lock(state->mutex);
      state->tasks.push_back(std::move(link));
      state->tasks.push_back(std::move(presence));
    }
    co_return RedisRoomBackend(std::move(state));
  }

  /// This server's id in Redis (in its messages and its presence key).
  std::string const& server_id() const noexcept { return state_->id; }

  // --- RoomBackend ---

  wb::Task<bool> claim_nick(std::uint64_t id, std::string name) {
    return claim_nick_in(state_, id, std::move(name));
  }
  wb::Task<void> release_nick(std::uint64_t id) { return release_nick_in(state_, id); }
  wb::Task<Subscription> join(std::string room, std::uint64_t id) {
    return join_in(state_, std::move(room), id);
  }
  wb::Task<void> leave(std::string room, std::uint64_t id) {
    return leave_in(state_, std::move(room), id);
  }
  wb::Task<std::size_t> publish(RoomMessage message) {
    return publish_in(state_, std::move(message));
  }
  wb::Task<std::vector<RoomInfo>> rooms() { return rooms_in(state_); }
  wb::Task<std::vector<std::string>> who(std::string room) {
    return who_in(state_, std::move(room));
  }
  /// The server's own notice (its shutdown) is for its own clients: it stays local.
  wb::Task<void> announce_all(std::string text) { return state_->local.announce_all(text); }

  /// Stops the background tasks and removes this server's presence at once (the other servers
  /// stop counting its members now, not at the expiry). Call it after serve() has returned.
  wb::Task<void> close() { return close_in(state_); }

 private:
  struct State {
    State(Local local_registry, RedisBackendConfig settings)
        : local(std::move(local_registry)),
          config(std::move(settings)),
          id(random_server_id()),
          presence_key(std::string(redis_presence_prefix) + id) {}

    Local local;
    RedisBackendConfig const config;
    std::string const id;
    std::string const presence_key;

    std::mutex mutex;
    std::shared_ptr<wb::redis::Client> client;  // null while Redis is gone
    bool gone = false;                          // the outage has been reported
    std::vector<wb::JoinHandle<void>> tasks;    // the link and presence tasks

    wb::signal::ShutdownTrigger stop;
    wb::Notify presence_changed;  // a join, leave or nickname: write the presence now
    wb::Notify broken;            // a command failed: the link task starts over

    /// The command connection, or null while Redis is gone.
    std::shared_ptr<wb::redis::Client> current() {
      std::lock_guard lock(mutex);
      return client;
    }

    // ANCHOR: lost
    /// Redis went away (`failed` is the connection that failed, or null for the subscriber's):
    /// reported once per outage; commands are skipped until the link task is connected again.
    void lost(wb::redis::Client const* failed, std::string const& reason) {
      std::shared_ptr<wb::redis::Client> dropped;
      bool first = false;
      {
        std::lock_guard lock(mutex);
        if (failed != nullptr && client.get() != failed) return;  // an old connection's news
        first = !gone;
        gone = true;
        dropped = std::move(client);
      }
      if (first && !stop.is_triggered()) {
        std::fprintf(stderr,
                     "redis: lost %s:%d (%s); the rooms of this server go on alone, reconnecting "
                     "every %lld ms\n",
                     config.host.c_str(), config.port, reason.c_str(),
                     static_cast<long long>(config.retry_every.count()));
      }
      broken.notify_waiters();
    }
    // ANCHOR_END: lost

    void reconnected(wb::redis::Client fresh) {
      bool was_gone = false;
      {
        std::lock_guard lock(mutex);
        client = std::make_shared<wb::redis::Client>(std::move(fresh));
        was_gone = std::exchange(gone, false);
      }
      if (was_gone) {
        std::fprintf(stderr, "redis: connected to %s:%d again\n", config.host.c_str(), config.port);
      }
      presence_changed.notify_one();
    }
  };

  explicit RedisRoomBackend(std::shared_ptr<State> state) : state_(std::move(state)) {}

  struct Links {
    wb::redis::Client client;
    wb::redis::Subscriber subscriber;
  };

  static wb::redis::Error no_answer(State const& state) {
    return wb::redis::Error{
        wb::redis::Error::Kind::io,
        "no answer within " + std::to_string(state.config.command_timeout.count()) + " ms"};
  }

  /// Both connections, the subscriber's pattern confirmed: from then on this server hears
  /// every room. Each step has the command timeout.
  static wb::Task<wb::Expected<Links, wb::redis::Error>> open_links(std::shared_ptr<State> state) {
    auto const limit = state->config.command_timeout;
    auto client_open = wb::redis::Client::connect(state->config.host, state->config.port);
    auto client = co_await wb::timeout(limit, std::move(client_open));
    if (!client) co_return wb::unexpected(no_answer(*state));
    if (!*client) co_return wb::unexpected(std::move(client->error()));
    auto subscriber_open = wb::redis::Subscriber::connect(state->config.host, state->config.port);
    auto subscriber = co_await wb::timeout(limit, std::move(subscriber_open));
    if (!subscriber) co_return wb::unexpected(no_answer(*state));
    if (!*subscriber) co_return wb::unexpected(std::move(subscriber->error()));
    auto pattern = std::string(redis_room_prefix) + "*";
    auto subscribing = (*subscriber)->psubscribe(std::move(pattern));
    auto confirmed = co_await wb::timeout(limit, std::move(subscribing));
    if (!confirmed) co_return wb::unexpected(no_answer(*state));
    if (!*confirmed) co_return wb::unexpected(std::move(confirmed->error()));
    co_return Links{std::move(**client), std::move(**subscriber)};
  }

  /// Sends one command on the command connection: its reply, or nothing when Redis is gone (or
  /// goes now, which is reported).
  static wb::Task<std::optional<wb::redis::Reply>> command(std::shared_ptr<State> state,
                                                           std::vector<std::string> argv) {
    auto client = state->current();
    if (!client) co_return std::nullopt;
    auto request = client->command_argv(std::move(argv));
    auto answered = co_await wb::timeout(state->config.command_timeout, std::move(request));
    if (!answered) {
      state->lost(client.get(), no_answer(*state).message);
      co_return std::nullopt;
    }
    if (!*answered) {
      state->lost(client.get(), answered->error().message);
      co_return std::nullopt;
    }
    co_return std::move(**answered);
  }

  // ANCHOR: link
  /// The subscriber task: every message published by another server goes into this server's
  /// room of that name (a room nobody here is in drops it). Its own messages, which Redis
  /// sends back too, are skipped: the local fan-out has already delivered them. When the
  /// connection fails it reconnects every retry_every until it is back or the server stops.
  static wb::Task<void> run_link(std::shared_ptr<State> state,
                                 std::optional<wb::redis::Subscriber> subscriber) {
    for (;;) {
      while (subscriber) {
        auto stop = state->stop.wait();
        auto broken = state->broken.notified();
        auto received = subscriber->receive();
        auto won =
            co_await wb::select_biased(std::move(stop), std::move(broken), std::move(received));
        if (won.index() == 0) co_return;
        if (won.index() == 1) break;  // a command failed: start over with both connections
        auto& item = std::get<2>(won);
        if (!item) {
          state->lost(nullptr, item.error().message);
          break;
        }
        auto wire = decode_message(item->channel, item->payload);
        if (!wire || wire->server == state->id) continue;
        co_await state->local.publish(wire->message);
      }
      subscriber.reset();
      for (;;) {  // Redis is gone: try again every retry_every
        auto stop = state->stop.wait();
        auto pause = wb::sleep(state->config.retry_every);
        auto waited = co_await wb::select_biased(std::move(stop), std::move(pause));
        if (waited.index() == 0) co_return;
        auto stop_opening = state->stop.wait();
        auto opening = open_links(state);
        auto opened = co_await wb::select_biased(std::move(stop_opening), std::move(opening));
        if (opened.index() == 0) co_return;
        auto& links = std::get<1>(opened);
        if (!links) continue;
        subscriber.emplace(std::move(links->subscriber));
        state->reconnected(std::move(links->client));
        break;
      }
    }
  }
  // ANCHOR_END: link

  // ANCHOR: presence
  /// This server's presence, written as one key with an expiry of presence_ttl: at once after
  /// every change, and every third of the expiry otherwise. A server that dies stops
  /// refreshing it, and Redis removes it: its members drop out of /rooms within presence_ttl.
  static wb::Task<void> run_presence(std::shared_ptr<State> state) {
    auto const every = state->config.presence_ttl / 3;
    for (;;) {
      co_await write_presence(state);
      auto stop = state->stop.wait();
      auto changed = state->presence_changed.notified();
      auto tick = wb::sleep(every);
      auto won = co_await wb::select_biased(std::move(stop), std::move(changed), std::move(tick));
      if (won.index() == 0) co_return;
    }
  }

  static wb::Task<void> write_presence(std::shared_ptr<State> state) {
    if (!state->current()) co_return;
    Presence presence;
    auto rooms = co_await state->local.rooms();
    for (auto const& room : rooms) {
      auto names = co_await state->local.who(room.name);
      presence[room.name] = std::move(names);
    }
    std::vector<std::string> set = {"SET", state->presence_key, encode_presence(presence), "PX",
                                    std::to_string(state->config.presence_ttl.count())};
    co_await command(state, std::move(set));
  }
  // ANCHOR_END: presence

  /// The presence of every other live server. KEYS walks the whole keyspace: fine for a chat
  /// whose Redis holds a few keys per server; with a big shared Redis, SCAN or a set of server
  /// ids would be the way.
  static wb::Task<std::vector<Presence>> other_presence(std::shared_ptr<State> state) {
    std::vector<Presence> found;
    std::vector<std::string> keys_command = {"KEYS", std::string(redis_presence_prefix) + "*"};
    auto keys = co_await command(state, std::move(keys_command));
    if (!keys || !keys->is_array()) co_return found;
    std::vector<std::string> mget = {"MGET"};
    for (auto const& key : keys->elements()) {
      if (key.text() != state->presence_key) mget.push_back(key.text());
    }
    if (mget.size() == 1) co_return found;
    auto values = co_await command(state, std::move(mget));
    if (!values || !values->is_array()) co_return found;
    for (auto const& value : values->elements()) {
      if (value.is_string()) found.push_back(decode_presence(value.text()));  // nil: expired
    }
    co_return found;
  }

  // ANCHOR: rooms
  /// The rooms of this server (from its registry: always up to date) and of every other live
  /// server (from their presence), members added up.
  static wb::Task<std::vector<RoomInfo>> rooms_in(std::shared_ptr<State> state) {
    auto mine = co_await state->local.rooms();
    auto others = co_await other_presence(state);
    std::map<std::string, std::size_t> counts;
    for (auto const& info : mine) counts[info.name] += info.members;
    for (auto const& presence : others) {
      for (auto const& room : presence) {
        if (!room.second.empty()) counts[room.first] += room.second.size();
      }
    }
    std::vector<RoomInfo> list;
    for (auto const& room : counts) list.push_back(RoomInfo{room.first, room.second});
    co_return list;
  }
  // ANCHOR_END: rooms

  static wb::Task<std::vector<std::string>> who_in(std::shared_ptr<State> state, std::string room) {
    auto names = co_await state->local.who(room);
    auto others = co_await other_presence(state);
    for (auto const& presence : others) {
      auto there = presence.find(room);
      if (there != presence.end())
        names.insert(names.end(), there->second.begin(), there->second.end());
    }
    std::sort(names.begin(), names.end());
    co_return names;
  }

  // ANCHOR: claim_nick
  /// Unique on this server; across servers, as far as their presence shows: a name that a
  /// member of another server's room has is refused. Two servers may still give one name away
  /// at the same moment (nothing in Redis is claimed atomically): a best effort, said so.
  static wb::Task<bool> claim_nick_in(std::shared_ptr<State> state, std::uint64_t id,
                                      std::string name) {
    auto others = co_await other_presence(state);
    for (auto const& presence : others) {
      for (auto const& room : presence) {
        if (std::find(room.second.begin(), room.second.end(), name) != room.second.end()) {
          co_return false;
        }
      }
    }
    bool const claimed = co_await state->local.claim_nick(id, name);
    if (claimed) state->presence_changed.notify_one();
    co_return claimed;
  }
  // ANCHOR_END: claim_nick

  static wb::Task<void> release_nick_in(std::shared_ptr<State> state, std::uint64_t id) {
    co_await state->local.release_nick(id);
    state->presence_changed.notify_one();
  }

  static wb::Task<Subscription> join_in(std::shared_ptr<State> state, std::string room,
                                        std::uint64_t id) {
    auto subscription = co_await state->local.join(room, id);
    state->presence_changed.notify_one();
    co_return subscription;
  }

  static wb::Task<void> leave_in(std::shared_ptr<State> state, std::string room, std::uint64_t id) {
    co_await state->local.leave(room, id);
    state->presence_changed.notify_one();
  }

  // ANCHOR: publish
  /// To this server's members first (the local fan-out), then to Redis for the other servers.
  /// Awaited, so one client's lines reach Redis in the order it said them; Ready with the
  /// members reached on this server (the others are not counted: that would take a round trip
  /// to each server).
  static wb::Task<std::size_t> publish_in(std::shared_ptr<State> state, RoomMessage message) {
    auto reached = co_await state->local.publish(message);
    std::vector<std::string> argv = {"PUBLISH", std::string(redis_room_prefix) + message.room,
                                     encode_message(state->id, message)};
    co_await command(state, std::move(argv));
    co_return reached;
  }
  // ANCHOR_END: publish

  static wb::Task<void> close_in(std::shared_ptr<State> state) {
    state->stop.trigger();
    std::vector<wb::JoinHandle<void>> tasks;
    {
      std::lock_guard lock(state->mutex);
      tasks.swap(state->tasks);
    }
    for (auto& task : tasks) co_await std::move(task);
    std::vector<std::string> del = {"DEL", state->presence_key};
    co_await command(state, std::move(del));
    std::shared_ptr<wb::redis::Client> client;
    {
      std::lock_guard lock(state->mutex);
      client = std::move(state->client);
    }
    if (client) client->close();
  }

  std::shared_ptr<State> state_;
};

}  // namespace chat
