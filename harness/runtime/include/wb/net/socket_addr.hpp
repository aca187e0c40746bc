// wb::net::SocketAddr — an IPv4 or IPv6 address with a port, as sockets take and give it:
// SocketAddr::parse("127.0.0.1:4000"), SocketAddr::loopback_v4(0) (port 0: the system picks a
// free one), to_string() → "127.0.0.1:4000" or "[::1]:4000".
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <charconv>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace wb::net {

class SocketAddr {
 public:
  /// 127.0.0.1:port
  static SocketAddr loopback_v4(std::uint16_t port) {
    SocketAddr addr;
    addr.storage_.ss_family = AF_INET;
    auto& in = addr.v4();
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    in.sin_port = htons(port);
    return addr;
  }
  /// [::1]:port
  static SocketAddr loopback_v6(std::uint16_t port) {
    SocketAddr addr;
    addr.storage_.ss_family = AF_INET6;
    auto& in = addr.v6();
    in.sin6_addr = in6addr_loopback;
    in.sin6_port = htons(port);
    return addr;
  }

  /// "1.2.3.4:80" or "[::1]:80"; empty when the text is not such an address.
  static std::optional<SocketAddr> parse(std::string_view text) {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::string_view host = text.substr(0, colon);
    std::string_view port_text = text.substr(colon + 1);
    std::uint16_t port = 0;
    auto [end, error] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (error != std::errc() || end != port_text.data() + port_text.size() || port_text.empty()) {
      return std::nullopt;
    }
    SocketAddr addr;
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
      std::string inner(host.substr(1, host.size() - 2));
      addr.storage_.ss_family = AF_INET6;
      if (inet_pton(AF_INET6, inner.c_str(), &addr.v6().sin6_addr) != 1) return std::nullopt;
      addr.v6().sin6_port = htons(port);
      return addr;
    }
    std::string inner(host);
    addr.storage_.ss_family = AF_INET;
    if (inet_pton(AF_INET, inner.c_str(), &addr.v4().sin_addr) != 1) return std::nullopt;
    addr.v4().sin_port = htons(port);
    return addr;
  }

  /// From what accept() or getsockname() filled in.
  static SocketAddr from(sockaddr_storage const& storage) {
    SocketAddr addr;
    addr.storage_ = storage;
    return addr;
  }

  bool is_ipv4() const noexcept { return storage_.ss_family == AF_INET; }
  bool is_ipv6() const noexcept { return storage_.ss_family == AF_INET6; }
  int family() const noexcept { return storage_.ss_family; }

  std::uint16_t port() const noexcept { return ntohs(is_ipv4() ? v4().sin_port : v6().sin6_port); }

  std::string to_string() const {
    char text[INET6_ADDRSTRLEN] = {};
    if (is_ipv4()) {
      inet_ntop(AF_INET, &v4().sin_addr, text, sizeof text);
      return std::string(text) + ":" + std::to_string(port());
    }
    inet_ntop(AF_INET6, &v6().sin6_addr, text, sizeof text);
    return "[" + std::string(text) + "]:" + std::to_string(port());
  }

  sockaddr const* raw() const noexcept { return reinterpret_cast<sockaddr const*>(&storage_); }
  socklen_t raw_size() const noexcept {
    return is_ipv4() ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
  }

  friend bool operator==(SocketAddr const& a, SocketAddr const& b) {
    return a.to_string() == b.to_string();
  }

 private:
  SocketAddr() { std::memset(&storage_, 0, sizeof storage_); }
  sockaddr_in& v4() noexcept { return *reinterpret_cast<sockaddr_in*>(&storage_); }
  sockaddr_in const& v4() const noexcept {
    return *reinterpret_cast<sockaddr_in const*>(&storage_);
  }
  sockaddr_in6& v6() noexcept { return *reinterpret_cast<sockaddr_in6*>(&storage_); }
  sockaddr_in6 const& v6() const noexcept {
    return *reinterpret_cast<sockaddr_in6 const*>(&storage_);
  }

  sockaddr_storage storage_;
};

}  // namespace wb::net
