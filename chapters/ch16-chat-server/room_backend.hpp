// RoomBackend — what the client session and the server need from "the rooms": join, leave,
// publish, list, who, nicknames. The in-memory registry (room_registry.hpp) is one; a backend
// that spans several servers (Redis pub/sub) is another written to the same concept, which is
// why every call that may talk to another machine returns a wb::Task. (Provided.)
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include <wb/task/task.hpp>

namespace chat {

// ANCHOR: room_message
/// One message of a room: plain data, copied to every member.
struct RoomMessage {
  std::string room;          // "#general"
  std::string from;          // the sender's nickname; empty for a notice from the server
  std::string text;          // what was said, without "\n"
  std::uint64_t origin = 0;  // the sending client's id (0: the server), so it gets no echo
  std::uint64_t missed = 0;  // a lag notice: this many messages were lost to this member
  friend bool operator==(RoomMessage const&, RoomMessage const&) = default;
};

/// The line a member is sent for `message`: "[#room] nick: text", or "[server] text".
inline std::string render(RoomMessage const& message) {
  if (message.from.empty()) return "[server] " + message.text;
  return "[" + message.room + "] " + message.from + ": " + message.text;
}
// ANCHOR_END: room_message

struct RoomInfo {
  std::string name;
  std::size_t members = 0;
  friend bool operator==(RoomInfo const&, RoomInfo const&) = default;
};

// ANCHOR: room_backend
/// A member's view of one room: the room's history first, then each new message. next() is
/// Ready with the next message, with a notice (missed = N) when N were lost because this member
/// fell behind, and with nothing once the room is gone. Dropping a next() future loses nothing:
/// a session races it against its socket and may drop it. try_next() takes only what is there.
template <class S>
concept RoomSubscription = std::movable<S> && requires(S& subscription) {
  { subscription.next() } -> std::same_as<wb::Task<std::optional<RoomMessage>>>;
  { subscription.try_next() } -> std::same_as<std::optional<RoomMessage>>;
};

/// The rooms and nicknames of the whole chat. Copies are handles to the same rooms.
template <class B>
concept RoomBackend = std::copyable<B> && RoomSubscription<typename B::Subscription> &&
    requires(B& backend, std::string const& name, RoomMessage const& message, std::uint64_t id) {
  // Takes nickname `name` for client `id` (giving up its old one): false if someone has it.
  { backend.claim_nick(id, name) } -> std::same_as<wb::Task<bool>>;
  // Gives up client `id`'s nickname.
  { backend.release_nick(id) } -> std::same_as<wb::Task<void>>;
  // Makes client `id` a member of room `name` (created if need be).
  { backend.join(name, id) } -> std::same_as<wb::Task<typename B::Subscription>>;
  // Client `id` leaves room `name`; a room left empty is removed.
  { backend.leave(name, id) } -> std::same_as<wb::Task<void>>;
  // Sends `message` to every member of message.room: Ready with how many members it reached.
  { backend.publish(message) } -> std::same_as<wb::Task<std::size_t>>;
  // Every room with its member count, sorted by name.
  { backend.rooms() } -> std::same_as<wb::Task<std::vector<RoomInfo>>>;
  // The nicknames of room `name`'s members, sorted.
  { backend.who(name) } -> std::same_as<wb::Task<std::vector<std::string>>>;
  // A server notice (from = "") to every room.
  { backend.announce_all(name) } -> std::same_as<wb::Task<void>>;
};
// ANCHOR_END: room_backend

}  // namespace chat
