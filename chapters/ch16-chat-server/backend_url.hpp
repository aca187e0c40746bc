// The value of the chat server's --backend flag: "memory" (the in-memory registry, the default)
// or "redis://HOST:PORT" (rooms shared through Redis). HOST must be an IP address: hiredis
// resolves a name with a blocking getaddrinfo, which has no place on an executor thread.
// (Provided.)
#pragma once

#include <arpa/inet.h>

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace chat {

struct MemoryBackendUrl {
  friend bool operator==(MemoryBackendUrl, MemoryBackendUrl) = default;
};
struct RedisBackendUrl {
  std::string host;  // an IPv4 or IPv6 address, without brackets
  int port = 6379;
  friend bool operator==(RedisBackendUrl const&, RedisBackendUrl const&) = default;
};
using BackendUrl = std::variant<MemoryBackendUrl, RedisBackendUrl>;

/// "memory", or "redis://127.0.0.1:6390" ("redis://[::1]:6390" for IPv6); nothing for any other
/// text, a host that is a name rather than an address included.
inline std::optional<BackendUrl> parse_backend_url(std::string_view text) {
  if (text == "memory") return BackendUrl(MemoryBackendUrl{});
  constexpr std::string_view scheme = "redis://";
  if (text.substr(0, scheme.size()) != scheme) return std::nullopt;
  text.remove_prefix(scheme.size());
  auto const colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  std::string_view const port_text = text.substr(colon + 1);
  bool const bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
  if (bracketed) host = host.substr(1, host.size() - 2);
  int port = 0;
  auto const [end, error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (error != std::errc() || end != port_text.data() + port_text.size() || port < 1 ||
      port > 65535) {
    return std::nullopt;
  }
  std::string const host_text(host);
  unsigned char address[16];
  int const family = bracketed ? AF_INET6 : AF_INET;
  if (::inet_pton(family, host_text.c_str(), address) != 1) return std::nullopt;
  return BackendUrl(RedisBackendUrl{host_text, port});
}

}  // namespace chat
