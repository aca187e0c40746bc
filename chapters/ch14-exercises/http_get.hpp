// fetch(url) — a small HTTP GET over wb::net::TcpStream, for the URL fetcher exercise: it
// connects to http://HOST:PORT/path (HOST a numeric address such as 127.0.0.1), sends one
// request, reads the whole response (at most 1 MiB), and is Ready with the body of a 200 answer
// or with what went wrong, in words. Failures are values, never exceptions: a network fails as a
// matter of course. It also keeps a count of the fetches running in this program (FetchGauge),
// which the tests read to see how many ran at once. (Given, not an exercise.)
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <wb/core/expected.hpp>
#include <wb/io/async_read.hpp>
#include <wb/io/write_all.hpp>
#include <wb/net/socket_addr.hpp>
#include <wb/net/tcp_stream.hpp>
#include <wb/task/task.hpp>

// ANCHOR: fetch
/// The body of a 200 response, or what went wrong ("HTTP status 500", "cannot connect: ...").
using FetchResult = wb::Expected<std::string, std::string>;

/// GETs `url` ("http://127.0.0.1:8080/path"). Lazy, like every wb::Task: nothing happens until
/// it is first polled.
inline wb::Task<FetchResult> fetch(std::string url);
// ANCHOR_END: fetch

/// The largest response fetch accepts: a server cannot make it hold more than this in memory.
inline constexpr std::size_t max_response_bytes = 1 << 20;

/// How many fetches are running in this program: a fetch counts from its first poll until it is
/// Ready (or destroyed). Safe to read from any thread.
class FetchGauge {
 public:
  struct Reading {
    std::size_t running = 0;
    std::size_t most_running = 0;  // the most that ever ran at once since the last reset
    std::size_t started = 0;
    std::size_t finished = 0;
  };

  static FetchGauge& global() {
    static FetchGauge gauge;
    return gauge;
  }

  Reading read() const {
    std::lock_guard lock(mutex_);
    return reading_;
  }
  void reset() {
    std::lock_guard lock(mutex_);
    reading_ = Reading{};
  }

  /// Counts one fetch as running for as long as it exists.
  class Running {
   public:
    explicit Running(FetchGauge& gauge) : gauge_(gauge) {
      std::lock_guard lock(gauge_.mutex_);
      auto& r = gauge_.reading_;
      ++r.running;
      ++r.started;
      r.most_running = std::max(r.most_running, r.running);
    }
    Running(Running const&) = delete;
    Running& operator=(Running const&) = delete;
    ~Running() {
      std::lock_guard lock(gauge_.mutex_);
      --gauge_.reading_.running;
      ++gauge_.reading_.finished;
    }

   private:
    FetchGauge& gauge_;
  };

 private:
  mutable std::mutex mutex_;
  Reading reading_;
};

namespace http_detail {

struct Target {
  wb::net::SocketAddr addr;
  std::string host;  // "127.0.0.1:8080", for the Host header
  std::string path;  // "/path"
};

inline std::optional<Target> parse_url(std::string_view url) {
  constexpr std::string_view scheme = "http://";
  if (url.substr(0, scheme.size()) != scheme) return std::nullopt;
  url.remove_prefix(scheme.size());
  auto const slash = url.find('/');
  std::string_view const host = url.substr(0, slash);
  std::string_view const path = slash == std::string_view::npos ? "/" : url.substr(slash);
  auto addr = wb::net::SocketAddr::parse(host);
  if (!addr) return std::nullopt;
  return Target{*addr, std::string(host), std::string(path)};
}

/// The body of `response` (a whole HTTP/1.x response), or what is wrong with it.
inline FetchResult parse_response(std::string const& response) {
  auto const head_end = response.find("\r\n\r\n");
  if (head_end == std::string::npos) {
    return wb::unexpected(std::string("the connection closed before the response was complete"));
  }
  // "HTTP/1.1 200 OK"
  auto const space = response.find(' ');
  if (response.compare(0, 5, "HTTP/") != 0 || space == std::string::npos || space > head_end) {
    return wb::unexpected(std::string("the answer is not an HTTP response"));
  }
  int status = 0;
  for (std::size_t i = space + 1; i < space + 4 && i < head_end; ++i) {
    if (response[i] < '0' || response[i] > '9') {
      return wb::unexpected(std::string("the answer is not an HTTP response"));
    }
    status = status * 10 + (response[i] - '0');
  }
  std::string body = response.substr(head_end + 4);
  // Content-Length, if given, says how much body to expect (header names ignore case).
  std::string head = response.substr(0, head_end);
  std::transform(head.begin(), head.end(), head.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
  if (auto at = head.find("\r\ncontent-length:"); at != std::string::npos) {
    std::size_t length = 0;
    for (std::size_t i = at + 17; i < head.size() && head[i] != '\r'; ++i) {
      if (head[i] >= '0' && head[i] <= '9') length = length * 10 + (head[i] - '0');
    }
    if (body.size() < length) {
      return wb::unexpected("the connection closed before the response was complete (" +
                            std::to_string(body.size()) + " of " + std::to_string(length) +
                            " bytes of the body arrived)");
    }
    body.resize(length);
  }
  if (status != 200) return wb::unexpected("HTTP status " + std::to_string(status));
  return body;
}

}  // namespace http_detail

inline wb::Task<FetchResult> fetch(std::string url) {
  FetchGauge::Running counted(FetchGauge::global());
  auto target = http_detail::parse_url(url);
  if (!target) {
    co_return wb::unexpected(std::string("not a URL of the form http://127.0.0.1:PORT/path"));
  }
  auto connected = co_await wb::net::connect_within(target->addr, std::chrono::seconds(10));
  if (!connected) co_return wb::unexpected("cannot connect: " + connected.error().message());
  wb::net::TcpStream stream = std::move(*connected);

  // HTTP/1.0 with "Connection: close": the response ends where the data ends.
  std::string const request = "GET " + target->path + " HTTP/1.0\r\nHost: " + target->host +
                              "\r\nConnection: close\r\n\r\n";
  auto sent = co_await wb::write_all(stream, std::span<char const>(request));
  if (!sent) co_return wb::unexpected("cannot send the request: " + sent.error().message());

  std::string response;
  char buffer[4096];
  for (;;) {
    auto got = co_await wb::read(stream, std::span<char>(buffer));
    if (!got) co_return wb::unexpected("cannot read the response: " + got.error().message());
    if (*got == 0) break;
    response.append(buffer, *got);
    if (response.size() > max_response_bytes) {
      co_return wb::unexpected("the response is larger than " + std::to_string(max_response_bytes) +
                               " bytes");
    }
  }
  co_return http_detail::parse_response(response);
}
