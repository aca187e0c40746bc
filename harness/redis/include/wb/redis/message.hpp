// wb::redis::Message — one message a Subscriber received: the channel it was published on, its
// payload (binary-safe) and, for a pattern subscription (PSUBSCRIBE), the pattern that matched.
#pragma once

#include <optional>
#include <string>

namespace wb::redis {

struct Message {
  std::string channel;
  std::string payload;
  std::optional<std::string> pattern;  // set when it came through PSUBSCRIBE

  friend bool operator==(Message const&, Message const&) = default;
};

}  // namespace wb::redis
