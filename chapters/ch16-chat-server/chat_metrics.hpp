// ChatMetrics — the server's counters, shared by every session (atomics: sessions run on several
// threads), and their Prometheus text format for GET /metrics. (Provided.)
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

namespace chat {

struct ChatMetrics {
  enum CommandKind : std::size_t { say, join, nick, rooms, who, quit, invalid, command_kinds };
  static constexpr std::array<char const*, command_kinds> command_names{
      "say", "join", "nick", "rooms", "who", "quit", "invalid"};

  std::atomic<std::int64_t> clients{0};         // connected now
  std::atomic<std::int64_t> rooms_count{0};     // rooms at the last /rooms or scrape
  std::atomic<std::uint64_t> connections{0};    // accepted since the start
  std::atomic<std::uint64_t> messages_in{0};    // lines said to a room
  std::atomic<std::uint64_t> messages_out{0};   // lines queued for a client
  std::atomic<std::uint64_t> lagged{0};         // "you missed N" notices given
  std::atomic<std::uint64_t> dropped{0};        // lines dropped: a client's queue was full
  std::atomic<std::uint64_t> rate_limited{0};   // lines refused by the rate limit
  std::atomic<std::uint64_t> idle_timeouts{0};  // clients dropped for idling
  std::array<std::atomic<std::uint64_t>, command_kinds> commands{};

  // ANCHOR: prometheus
  /// The Prometheus text exposition format (version 0.0.4).
  std::string prometheus() const {
    std::string out;
    auto metric = [&](char const* name, char const* type, char const* help, auto value) {
      out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
      out += std::string(name) + " " + std::to_string(value) + "\n";
    };
    metric("chat_clients", "gauge", "Clients connected now.", clients.load());
    metric("chat_rooms", "gauge", "Rooms that exist now.", rooms_count.load());
    metric("chat_connections_total", "counter", "Connections accepted.", connections.load());
    metric("chat_messages_in_total", "counter", "Lines said to a room.", messages_in.load());
    metric("chat_messages_out_total", "counter", "Lines queued for clients.", messages_out.load());
    metric("chat_lagged_total", "counter", "Missed-messages notices given.", lagged.load());
    metric("chat_dropped_total", "counter", "Lines dropped for a full client queue.",
           dropped.load());
    metric("chat_rate_limited_total", "counter", "Lines refused by the rate limit.",
           rate_limited.load());
    metric("chat_idle_timeouts_total", "counter", "Clients dropped for idling.",
           idle_timeouts.load());
    out += "# HELP chat_commands_total Lines by command.\n# TYPE chat_commands_total counter\n";
    for (std::size_t i = 0; i < command_kinds; ++i) {
      out += std::string("chat_commands_total{command=\"") + command_names[i] + "\"} " +
             std::to_string(commands[i].load()) + "\n";
    }
    return out;
  }
  // ANCHOR_END: prometheus
};

}  // namespace chat
