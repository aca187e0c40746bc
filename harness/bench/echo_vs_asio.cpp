// An echo server on the wb runtime against the same server on standalone Asio (C++20
// coroutines), under the same client load in the same run: 100 connections, then 1,000, each
// sending 64-byte lines and waiting for each echo before sending the next. Both servers run on
// one thread (a single-threaded wb::Runtime, an asio::io_context with a concurrency hint of 1);
// the client is one thread of plain epoll, the same for both. It prints messages per second and
// the p50 and p99 round trip of each, and the ratios wb / asio (for time below 1 is faster, for
// messages per second above 1 is). Best of three rounds, the servers taking turns.
//
// Build it in Release (-O2, no sanitizers); a number from a Debug build means nothing.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <asio.hpp>
#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "wb/combinator/select.hpp"
#include "wb/core/poll_fn.hpp"
#include "wb/exec/runtime.hpp"
#include "wb/net/tcp_listener.hpp"
#include "wb/net/tcp_stream.hpp"
#include "wb/signal/shutdown_trigger.hpp"
#include "wb/task/spawn.hpp"
#include "wb/task/task.hpp"

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t line_size = 64;
constexpr int rounds = 3;

struct Figures {
  double messages_per_second = 0;
  double p50_us = 0;
  double p99_us = 0;
};

// --- The client: one thread, plain epoll, the same for both servers ---

Figures run_client(std::uint16_t port, int connections, int messages_each) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  struct Connection {
    int fd = -1;
    int left = 0;
    std::size_t got = 0;
    Clock::time_point sent_at;
  };
  std::vector<Connection> all(connections);
  int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  char line[line_size];
  std::memset(line, 'x', sizeof line);
  line[line_size - 1] = '\n';
  for (int i = 0; i < connections; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
      throw std::runtime_error(std::string("client connect: ") + std::strerror(errno));
    }
    int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    all[i].fd = fd;
    all[i].left = messages_each;
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u32 = static_cast<std::uint32_t>(i);
    ::epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
  }
  std::vector<double> round_trips;
  round_trips.reserve(static_cast<std::size_t>(connections) * messages_each);
  auto const start = Clock::now();
  for (auto& c : all) {
    c.sent_at = Clock::now();
    if (::send(c.fd, line, sizeof line, MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof line)) {
      throw std::runtime_error("client send");
    }
  }
  int active = connections;
  epoll_event events[256];
  char buffer[4096];
  while (active > 0) {
    int n = ::epoll_wait(epoll, events, 256, 10'000);
    if (n <= 0) throw std::runtime_error("the server stopped answering");
    for (int e = 0; e < n; ++e) {
      auto& c = all[events[e].data.u32];
      ssize_t got = ::recv(c.fd, buffer, sizeof buffer, 0);
      if (got <= 0) throw std::runtime_error("the server closed a connection");
      c.got += static_cast<std::size_t>(got);
      if (c.got < line_size) continue;
      c.got -= line_size;
      auto now = Clock::now();
      round_trips.push_back(std::chrono::duration<double, std::micro>(now - c.sent_at).count());
      if (--c.left == 0) {
        --active;
        continue;
      }
      c.sent_at = now;
      if (::send(c.fd, line, sizeof line, MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof line)) {
        throw std::runtime_error("client send");
      }
    }
  }
  double const seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (auto& c : all) ::close(c.fd);
  ::close(epoll);
  std::sort(round_trips.begin(), round_trips.end());
  Figures figures;
  figures.messages_per_second = static_cast<double>(round_trips.size()) / seconds;
  figures.p50_us = round_trips[round_trips.size() / 2];
  figures.p99_us = round_trips[round_trips.size() * 99 / 100];
  return figures;
}

// --- The wb server ---

wb::Task<void> wb_echo(wb::net::TcpStream stream) {
  char buffer[4096];
  for (;;) {
    auto got = co_await wb::read(stream, std::span<char>(buffer));
    if (!got || *got == 0) co_return;
    std::size_t at = 0;
    while (at < *got) {
      std::span<char const> rest(buffer + at, *got - at);
      auto sent =
          co_await wb::poll_fn([&](wb::Context& cx) { return stream.poll_write(cx, rest); });
      if (!sent) co_return;
      at += *sent;
    }
  }
}

wb::Task<void> wb_accept_loop(wb::net::TcpListener& listener) {
  for (;;) {
    auto accepted = co_await listener.accept();
    if (!accepted) continue;
    (void)accepted->stream.set_nodelay(true);
    wb::spawn(wb_echo(std::move(accepted->stream))).detach();
  }
}

Figures measure_wb(int connections, int messages_each) {
  auto listener = wb::net::TcpListener::bind(wb::net::SocketAddr::loopback_v4(0));
  if (!listener) throw std::runtime_error("wb bind: " + listener.error().message());
  std::uint16_t const port = listener->local_addr().value().port();
  wb::signal::ShutdownTrigger stop;
  std::thread server([&] {
    auto runtime = wb::Runtime::builder().build();
    runtime.block_on(wb::select(wb_accept_loop(*listener), stop.wait()));
  });
  Figures figures = run_client(port, connections, messages_each);
  stop.trigger();
  server.join();
  return figures;
}

// --- The Asio server ---

asio::awaitable<void> asio_echo(asio::ip::tcp::socket socket) {
  char buffer[4096];
  for (;;) {
    asio::error_code error;
    std::size_t got = co_await socket.async_read_some(
        asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, error));
    if (error) co_return;
    co_await asio::async_write(socket, asio::buffer(buffer, got),
                               asio::redirect_error(asio::use_awaitable, error));
    if (error) co_return;
  }
}

asio::awaitable<void> asio_accept_loop(asio::ip::tcp::acceptor& acceptor) {
  for (;;) {
    asio::error_code error;
    auto socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, error));
    if (error) co_return;
    socket.set_option(asio::ip::tcp::no_delay(true));
    asio::co_spawn(acceptor.get_executor(), asio_echo(std::move(socket)), asio::detached);
  }
}

Figures measure_asio(int connections, int messages_each) {
  asio::io_context io(1);
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::address_v4::loopback(), 0});
  acceptor.listen(1024);
  std::uint16_t const port = acceptor.local_endpoint().port();
  asio::co_spawn(io, asio_accept_loop(acceptor), asio::detached);
  std::thread server([&] { io.run(); });
  Figures figures = run_client(port, connections, messages_each);
  io.stop();
  server.join();
  return figures;
}

void raise_fd_limit(rlim_t wanted) {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur >= wanted) return;
  limit.rlim_cur = std::min(wanted, limit.rlim_max);
  ::setrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < wanted) {
    std::fprintf(stderr, "note: only %lu file descriptors allowed\n",
                 static_cast<unsigned long>(limit.rlim_cur));
  }
}

void compare(int connections, int messages_each) {
  Figures best_wb, best_asio;
  for (int round = 0; round < rounds; ++round) {
    Figures a = measure_asio(connections, messages_each);
    Figures w = measure_wb(connections, messages_each);
    if (a.messages_per_second > best_asio.messages_per_second) best_asio = a;
    if (w.messages_per_second > best_wb.messages_per_second) best_wb = w;
  }
  std::printf("%5d connections x %4d lines of %zu bytes\n", connections, messages_each, line_size);
  std::printf("  %-6s %12.0f msg/s   p50 %8.1f us   p99 %8.1f us\n", "wb",
              best_wb.messages_per_second, best_wb.p50_us, best_wb.p99_us);
  std::printf("  %-6s %12.0f msg/s   p50 %8.1f us   p99 %8.1f us\n", "asio",
              best_asio.messages_per_second, best_asio.p50_us, best_asio.p99_us);
  std::printf("  wb/asio: throughput %.2f, p50 %.2f, p99 %.2f\n",
              best_wb.messages_per_second / best_asio.messages_per_second,
              best_wb.p50_us / best_asio.p50_us, best_wb.p99_us / best_asio.p99_us);
}

}  // namespace

int main(int argc, char** argv) {
  int const scale = argc > 1 ? std::max(1, std::atoi(argv[1])) : 1;
  raise_fd_limit(4096);
  std::printf("echo: wb::Runtime (one thread) against asio::io_context(1), one client thread\n");
  compare(100, 1000 * scale);
  compare(1000, 100 * scale);
}
