// The chat server program: flags into a ChatConfig, the listener bound, its address printed on
// the first line ("listening on 127.0.0.1:PORT": scripts and tests read it), SIGINT and SIGTERM
// turned into the shutdown, and serve() run on a runtime with two worker threads. Built twice:
// wb_chat_server from the reference solution, wb_chat_server_mine from your files. With
// --backend redis://HOST:PORT (built where hiredis is: WB_CHAT_REDIS) the rooms are shared with
// every other server on that Redis.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <backend_url.hpp>
#include <chat_config.hpp>
#include <chat_metrics.hpp>
#include <chat_server.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <iostream>
#include <memory>
#include <room_registry.hpp>
#include <string>
#include <thread>
#include <variant>
#include <wb/core/contract.hpp>
#include <wb/exec/runtime.hpp>
#include <wb/net/socket_addr.hpp>
#include <wb/net/tcp_listener.hpp>
#include <wb/signal/shutdown_trigger.hpp>
#if WB_CHAT_REDIS
#include <redis_room_backend.hpp>
#endif

namespace {

std::optional<wb::net::SocketAddr> address_of(std::string const& host, std::uint16_t port) {
  if (host == "localhost") return wb::net::SocketAddr::loopback_v4(port);
  std::string const text = host.find(':') != std::string::npos ? "[" + host + "]:" : host + ":";
  return wb::net::SocketAddr::parse(text + std::to_string(port));
}

}  // namespace

int main(int argc, char** argv) {
  chat::ChatConfig config;
  long idle_seconds = config.idle_timeout.count();
  std::uint16_t metrics_port = 0;
  CLI::App app{"An async chat server: rooms, nicknames, history, a rate limit, metrics"};
  app.add_option("--host", config.host, "Address to listen on")->capture_default_str();
  app.add_option("--port", config.port, "Port to listen on (0: any free port)")
      ->capture_default_str();
  app.add_option("--idle-timeout", idle_seconds, "Seconds of silence before a client is dropped")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--rate-limit", config.rate_limit, "Lines per second per client (0: no limit)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--burst", config.burst, "Lines a client may send at once")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--history", config.history, "Messages replayed to a member who joins")
      ->capture_default_str();
  auto* metrics_flag =
      app.add_option("--metrics-port", metrics_port, "Serve GET /metrics on this port");
  std::string backend_text = "memory";
  long presence_ttl = 10;
  app.add_option("--backend", backend_text, "memory, or redis://IP:PORT to share rooms")
      ->capture_default_str();
  app.add_option("--presence-ttl", presence_ttl,
                 "Seconds before a crashed server's members leave /rooms (redis backend)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  auto const backend = chat::parse_backend_url(backend_text);
  if (!backend) {
    std::cerr << "--backend: expected memory or redis://IP:PORT (an IP address, not a name), got "
              << backend_text << "\n";
    return 2;
  }
  auto const* redis_url = std::get_if<chat::RedisBackendUrl>(&*backend);
#if !WB_CHAT_REDIS
  if (redis_url) {
    std::cerr << "--backend redis://...: this build has no Redis client (hiredis was not found "
                 "when it was configured: apt-get install libhiredis-dev, then configure again)\n";
    return 2;
  }
#endif
  config.idle_timeout = std::chrono::seconds(idle_seconds);
  if (*metrics_flag) config.metrics_port = metrics_port;

  // SIGINT and SIGTERM wait in the kernel for us: blocked here, before any thread starts, so
  // every thread inherits the block. SIGINT is read by wb::signal::ctrl_c; SIGTERM by a thread.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto address = address_of(config.host, config.port);
  if (!address) {
    std::cerr << "not an address: " << config.host << "\n";
    return 2;
  }
  try {
    auto runtime = wb::Runtime::builder().worker_threads(2).build();
    auto listener = wb::net::TcpListener::bind(*address);
    if (!listener) {
      std::cerr << "cannot listen on " << address->to_string() << ": " << listener.error().message()
                << "\n";
      return 1;
    }
    auto bound = listener->local_addr();
    std::cout << "listening on " << (bound ? bound->to_string() : address->to_string())
              << std::endl;

    wb::signal::ShutdownTrigger shutdown;
    auto metrics = std::make_shared<chat::ChatMetrics>();
    if (config.metrics_port) {
      auto metrics_address = address_of(config.host, *config.metrics_port);
      auto metrics_listener = wb::net::TcpListener::bind(*metrics_address);
      if (!metrics_listener) {
        std::cerr << "cannot serve metrics on " << metrics_address->to_string() << ": "
                  << metrics_listener.error().message() << "\n";
        return 1;
      }
      auto metrics_bound = metrics_listener->local_addr();
      std::cout << "metrics on http://" << metrics_bound->to_string() << "/metrics" << std::endl;
      runtime.spawn(chat::serve_metrics(std::move(*metrics_listener), metrics, shutdown)).detach();
    }
    runtime.spawn(wb::signal::trigger_on_ctrl_c(shutdown)).detach();
    std::thread([shutdown]() mutable {
      sigset_t term;
      sigemptyset(&term);
      sigaddset(&term, SIGTERM);
      int got = 0;
      if (sigwait(&term, &got) == 0) shutdown.trigger();
    }).detach();

    chat::InMemoryRoomRegistry registry(chat::RegistryConfig{config.room_capacity, config.history});
    runtime.block_on(registry.rooms());  // a registry still to be written says so here, at once
    (void)chat::TokenBucket(1, 1, wb::Instant{}).tokens(wb::Instant{});  // and so does a bucket
    if (!redis_url) {
      runtime.block_on(chat::serve(std::move(*listener), registry, config, shutdown, metrics));
    }
#if WB_CHAT_REDIS
    if (redis_url) {
      using Shared = chat::RedisRoomBackend<chat::InMemoryRoomRegistry>;
      static_assert(chat::RoomBackend<Shared>);
      chat::RedisBackendConfig redis_config;
      redis_config.host = redis_url->host;
      redis_config.port = redis_url->port;
      redis_config.presence_ttl = std::chrono::seconds(presence_ttl);
      auto shared = runtime.block_on(Shared::connect(registry, redis_config));
      if (!shared) {
        std::cerr << "cannot reach Redis at " << backend_text << ": " << shared.error().message
                  << "\n";
        return 1;
      }
      std::cout << "rooms shared through " << backend_text << " as server " << shared->server_id()
                << std::endl;
      runtime.block_on(chat::serve(std::move(*listener), *shared, config, shutdown, metrics));
      runtime.block_on(shared->close());
    }
#endif
    std::cout << "shut down" << std::endl;
    return 0;
  } catch (wb::NotStarted const& todo) {
    std::cerr << "not started: " << todo.what() << " (" << todo.file() << ":" << todo.line()
              << ")\n";
    return 3;
  } catch (std::exception const& error) {
    std::cerr << "error: " << error.what() << "\n";
    return 1;
  }
}
