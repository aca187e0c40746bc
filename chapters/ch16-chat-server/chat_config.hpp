// ChatConfig — every setting of the chat server in one place: the program fills it from its
// flags, tests from their needs. (Provided.)
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace chat {

struct ChatConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::chrono::seconds idle_timeout{300};         // a client silent this long is disconnected
  double rate_limit = 20;                         // lines per second per client; 0: no limit
  double burst = 40;                              // lines a client may send at once
  std::size_t history = 20;                       // messages replayed to a member who joins
  std::size_t room_capacity = 100;                // messages a room holds for its slowest member
  std::size_t queue_capacity = 256;               // lines waiting for one client's writer
  std::chrono::milliseconds drain_timeout{2000};  // a closing client's queue may take this long
  std::optional<std::uint16_t> metrics_port;      // GET /metrics here, if set
};

}  // namespace chat
