// wb::testing::LocalHttpServer — a small HTTP/1.x server on 127.0.0.1 (a port the system picks)
// for tests of clients: it answers GET requests by path, counts the requests in flight (now and
// the most at once), and can hold a path's responses until the test releases them, so that a
// test decides when each request finishes instead of racing a clock. A path can also fail: a 500
// status, or a connection closed in the middle of the body. It runs on a thread of its own with a
// wb runtime of its own, so it never shares an executor with the code under test.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "wb/combinator/select.hpp"
#include "wb/exec/runtime.hpp"
#include "wb/io/buf_reader.hpp"
#include "wb/io/read_line.hpp"
#include "wb/io/write_all.hpp"
#include "wb/net/socket_addr.hpp"
#include "wb/net/tcp_listener.hpp"
#include "wb/net/tcp_stream.hpp"
#include "wb/sync/watch.hpp"
#include "wb/task/spawn.hpp"
#include "wb/task/task.hpp"

namespace wb::testing {

class LocalHttpServer {
 public:
  /// How the server answers one path.
  struct Route {
    enum class Answer {
      ok,            // 200 with the body
      server_error,  // 500 with the body
      close_early,   // 200 announcing more bytes than it sends, then the connection closes
    };
    Answer answer = Answer::ok;
    std::string body;
    bool held = false;  // the response waits until the test calls release(path)
  };
  static Route ok(std::string body, bool held = false) {
    return Route{Route::Answer::ok, std::move(body), held};
  }
  static Route server_error(std::string body = "internal error") {
    return Route{Route::Answer::server_error, std::move(body), false};
  }
  static Route close_early(std::string body = "the start of a body") {
    return Route{Route::Answer::close_early, std::move(body), false};
  }

  /// What the server has seen so far. A request is in flight from the moment its head has
  /// arrived until its response is sent (or its connection is closed).
  struct Stats {
    std::size_t in_flight = 0;
    std::size_t most_in_flight = 0;
    std::size_t received = 0;           // requests whose head arrived
    std::size_t answered = 0;           // responses sent (a failure counts)
    std::vector<std::string> arrivals;  // paths, in the order their requests arrived
    std::vector<std::string> answers;   // paths, in the order they were answered
  };

  /// Binds 127.0.0.1:0 and starts serving on a thread of its own.
  LocalHttpServer() : state_(std::make_shared<State>()) {
    auto listener = net::TcpListener::bind(net::SocketAddr::loopback_v4(0));
    if (!listener) throw std::runtime_error("LocalHttpServer: bind: " + listener.error().message());
    auto addr = listener->local_addr();
    if (!addr) throw std::runtime_error("LocalHttpServer: local_addr: " + addr.error().message());
    address_.emplace(*addr);
    auto stop = watch::channel(false);
    stop_.emplace(std::move(stop.first));
    thread_ = std::thread(
        [listener = std::move(*listener), stop = std::move(stop.second), state = state_]() mutable {
          auto runtime = Runtime::builder().build();
          runtime.block_on(accept_loop(std::move(listener), std::move(stop), state));
        });
  }
  LocalHttpServer(LocalHttpServer const&) = delete;
  LocalHttpServer& operator=(LocalHttpServer const&) = delete;
  ~LocalHttpServer() {
    release_all();
    (void)stop_->send(true);
    if (thread_.joinable()) thread_.join();
  }

  /// Sets how `path` ("/a") is answered. A path without a route gets 404.
  void route(std::string path, Route route) {
    std::lock_guard lock(state_->mutex);
    state_->routes[std::move(path)] = std::move(route);
  }

  net::SocketAddr address() const { return *address_; }
  /// "http://127.0.0.1:PORT/path" for `path` ("/path").
  std::string url(std::string_view path) const {
    return "http://" + address_->to_string() + std::string(path);
  }

  /// Lets the held responses of `path` go, now and for any later request of it.
  void release(std::string const& path) {
    {
      std::lock_guard lock(state_->mutex);
      state_->released.insert(path);
    }
    state_->releases.send_modify([](std::uint64_t& version) { ++version; });
  }
  /// Holds nothing any more.
  void release_all() {
    {
      std::lock_guard lock(state_->mutex);
      state_->release_all = true;
    }
    state_->releases.send_modify([](std::uint64_t& version) { ++version; });
  }

  Stats stats() const {
    std::lock_guard lock(state_->mutex);
    return state_->stats;
  }

  /// Blocks the calling thread until `done(stats())` holds, for at most `patience` (a hang
  /// guard). `done` may look at other things too: it is asked again at least every few
  /// milliseconds. True if it held.
  template <class Done>
  bool wait_until(Done done, std::chrono::milliseconds patience) const {
    auto const deadline = std::chrono::steady_clock::now() + patience;
    std::unique_lock lock(state_->mutex);
    for (;;) {
      Stats const now = state_->stats;
      lock.unlock();
      if (done(now)) return true;
      lock.lock();
      if (std::chrono::steady_clock::now() >= deadline) return false;
      state_->changed.wait_for(lock, std::chrono::milliseconds(2));
    }
  }

 private:
  struct State {
    State() : releases(watch::channel<std::uint64_t>(0).first) {}
    std::mutex mutex;
    std::condition_variable changed;
    std::map<std::string, Route> routes;
    std::set<std::string> released;
    bool release_all = false;
    Stats stats;
    watch::Sender<std::uint64_t> releases;  // bumped at every release

    bool is_released(std::string const& path) {
      std::lock_guard lock(mutex);
      return release_all || released.count(path) > 0;
    }
  };

  static Task<void> accept_loop(net::TcpListener listener, watch::Receiver<bool> stop,
                                std::shared_ptr<State> state) {
    for (;;) {
      auto next = co_await select_biased(stop.changed(), listener.accept());
      if (next.index() == 0) break;
      auto accepted = std::get<1>(std::move(next));
      if (!accepted) continue;  // a client that gave up before it was accepted
      spawn(answer(std::move(accepted->stream), state)).detach();
    }
  }

  /// Reads one request head; its path, or nothing if the client went away first.
  static Task<std::optional<std::string>> read_head(BufReader<net::TcpStream>& reader) {
    std::optional<std::string> path;
    for (bool first = true;; first = false) {
      std::string line;
      auto got = co_await read_line(reader, line, 8192);
      if (!got || *got == 0) co_return std::nullopt;
      if (line == "\r\n" || line == "\n") co_return path;
      if (first) {  // "GET /path HTTP/1.1"
        auto const start = line.find(' ');
        auto const end = line.find(' ', start + 1);
        if (start == std::string::npos || end == std::string::npos) co_return std::nullopt;
        path = line.substr(start + 1, end - start - 1);
      }
    }
  }

  static Task<void> answer(net::TcpStream stream, std::shared_ptr<State> state) {
    BufReader<net::TcpStream> reader(std::move(stream));
    auto path = co_await read_head(reader);
    if (!path) co_return;
    Route route{Route::Answer::ok, "", false};
    bool found = false;
    {
      std::lock_guard lock(state->mutex);
      auto& stats = state->stats;
      ++stats.received;
      ++stats.in_flight;
      stats.most_in_flight = std::max(stats.most_in_flight, stats.in_flight);
      stats.arrivals.push_back(*path);
      if (auto it = state->routes.find(*path); it != state->routes.end()) {
        route = it->second;
        found = true;
      }
    }
    state->changed.notify_all();
    if (route.held) {
      auto releases = state->releases.subscribe();
      while (!state->is_released(*path)) {
        auto changed = co_await releases.changed();
        if (!changed) break;
      }
    }
    std::string response;
    if (!found) {
      response = head(404, "Not Found", 9) + "not found";
    } else if (route.answer == Route::Answer::ok) {
      response = head(200, "OK", route.body.size()) + route.body;
    } else if (route.answer == Route::Answer::server_error) {
      response = head(500, "Internal Server Error", route.body.size()) + route.body;
    } else {
      response = head(200, "OK", route.body.size() + 1000) + route.body;  // 1000 bytes short
    }
    (void)co_await write_all(reader.get_ref(), std::span<char const>(response));
    (void)reader.get_ref().shutdown_write();
    {
      std::lock_guard lock(state->mutex);
      --state->stats.in_flight;
      ++state->stats.answered;
      state->stats.answers.push_back(*path);
    }
    state->changed.notify_all();
  }

  static std::string head(int status, std::string_view reason, std::size_t length) {
    return "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) +
           "\r\nContent-Length: " + std::to_string(length) + "\r\nConnection: close\r\n\r\n";
  }

  std::shared_ptr<State> state_;
  std::optional<net::SocketAddr> address_;
  std::optional<watch::Sender<bool>> stop_;
  std::thread thread_;
};

}  // namespace wb::testing
