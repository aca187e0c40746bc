// The chat server: the accept loop (a session task per client), the shutdown — stop accepting,
// a notice in every room, the sessions told to stop, their queues flushed — and the optional
// metrics endpoint. Written against any RoomBackend. (Provided, not an exercise.)
#pragma once

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <atomic>
#include <chat_config.hpp>
#include <chat_metrics.hpp>
#include <chrono>
#include <client_session.hpp>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <room_backend.hpp>
#include <span>
#include <string>
#include <utility>
#include <vector>
#include <wb/combinator/select.hpp>
#include <wb/core/contract.hpp>
#include <wb/io/async_read.hpp>
#include <wb/io/buf_reader.hpp>
#include <wb/io/read_line.hpp>
#include <wb/io/write_all.hpp>
#include <wb/net/tcp_listener.hpp>
#include <wb/net/tcp_stream.hpp>
#include <wb/signal/shutdown_trigger.hpp>
#include <wb/sync/notify.hpp>
#include <wb/task/spawn.hpp>
#include <wb/task/task.hpp>
#include <wb/time/timeout.hpp>
#include <wb/time/timer_driver.hpp>

namespace chat {

/// How many sessions are running, and a way to wait until none is.
class SessionCount {
 public:
  void started() {
    std::lock_guard lock(mutex_);
    ++running_;
  }
  void ended() {
    {
      std::lock_guard lock(mutex_);
      --running_;
    }
    notify_.notify_waiters();
  }
  std::size_t running() {
    std::lock_guard lock(mutex_);
    return running_;
  }
  wb::Task<void> all_ended() {
    for (;;) {
      auto changed = notify_.notified();  // made before the check: an end after it wakes it
      if (running() == 0) co_return;
      co_await std::move(changed);
    }
  }

 private:
  std::mutex mutex_;
  std::size_t running_ = 0;
  wb::Notify notify_;
};

namespace detail {

// ANCHOR: lingering_close
/// How long, and how much, a lingering close reads and drops before it closes anyway.
inline constexpr auto linger_limit = std::chrono::seconds(2);
inline constexpr std::size_t linger_bytes = 4 << 20;

/// A lingering close of a socket whose session has ended: when the client's input was not all
/// read (a line over the limit, cut off), closing at once makes the kernel answer with a reset,
/// and a reset can destroy the server's last words (the error line, the end of the stream)
/// before the client reads them. So the input is read and dropped until the client closes its
/// side, `linger_bytes` went by, or `linger_limit` passed; then the socket is closed. `fd` is a
/// second descriptor of the session's socket, taken before the session began.
inline wb::Task<void> close_lingering(int fd) {
  int unread = 0;
  if (::ioctl(fd, FIONREAD, &unread) != 0 || unread == 0) {  // nothing the client sent is left
    ::close(fd);
    co_return;
  }
  auto stream = wb::net::TcpStream::from_fd(fd);  // owns fd from here, whatever the outcome
  if (!stream) co_return;
  std::vector<char> buffer(64 * 1024);
  std::size_t dropped = 0;
  auto const deadline = wb::TimerDriver::current().now() + linger_limit;
  while (dropped < linger_bytes) {
    auto read = co_await wb::timeout_at(deadline, wb::read(*stream, std::span<char>(buffer)));
    if (!read || !*read || **read == 0) break;  // time is up, an error, or the client's end
    dropped += **read;
  }
}

template <RoomBackend B>
wb::Task<void> counted_session(B backend, wb::net::TcpStream stream, std::uint64_t id,
                               std::shared_ptr<SessionShared> shared,
                               std::shared_ptr<SessionCount> count) {
  int const lingering = ::fcntl(stream.fd(), F_DUPFD_CLOEXEC, 0);  // see close_lingering
  auto halves = std::move(stream).into_split();
  try {
    co_await run_session(std::move(backend), std::move(halves.first), std::move(halves.second), id,
                         std::move(shared));
  } catch (wb::NotStarted const& todo) {  // a session still to be written: say so, go on
    std::fprintf(stderr, "not started: %s\n", todo.what());
  }
  if (lingering >= 0) co_await close_lingering(lingering);
  count->ended();
}
// ANCHOR_END: lingering_close

/// Answers one HTTP request: GET /metrics gets the counters, anything else 404.
inline wb::Task<void> answer_metrics(wb::net::TcpStream stream,
                                     std::shared_ptr<ChatMetrics> metrics) {
  auto halves = std::move(stream).into_split();
  wb::BufReader<wb::net::OwnedReadHalf> reader(std::move(halves.first));
  std::string request_line;
  auto first = co_await wb::read_line(reader, request_line, 4096);
  if (!first || *first == 0) co_return;
  for (int headers = 0; headers < 100; ++headers) {  // up to the blank line, bounded
    std::string header;
    auto read = co_await wb::read_line(reader, header, 8192);
    if (!read || *read == 0 || header == "\r\n" || header == "\n") break;
  }
  bool const found = request_line.rfind("GET /metrics ", 0) == 0;
  std::string const body = found ? metrics->prometheus() : "not found\n";
  std::string const response =
      std::string(found ? "HTTP/1.1 200 OK\r\n" : "HTTP/1.1 404 Not Found\r\n") +
      "Content-Type: text/plain; version=0.0.4\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\n\r\n" + body;
  // A scraper that left before its answer needs no error.
  (void)co_await wb::write_all(halves.second, std::span<char const>(response));
}
}  // namespace detail

// ANCHOR: serve_metrics
/// Serves GET /metrics on `listener` until `shutdown`.
inline wb::Task<void> serve_metrics(wb::net::TcpListener listener,
                                    std::shared_ptr<ChatMetrics> metrics,
                                    wb::signal::ShutdownTrigger shutdown) {
  for (;;) {
    auto stop = shutdown.wait();
    auto next = listener.accept();
    auto won = co_await wb::select_biased(std::move(stop), std::move(next));
    if (won.index() == 0) co_return;
    auto& accepted = std::get<1>(won);
    if (!accepted) continue;
    wb::spawn(detail::answer_metrics(std::move(accepted->stream), metrics)).detach();
  }
}
// ANCHOR_END: serve_metrics

// ANCHOR: serve
/// Accepts clients on `listener` until `shutdown` is triggered, each served by run_session in a
/// task of its own; then shuts down in order and returns once every session has ended.
template <RoomBackend B>
wb::Task<void> serve(wb::net::TcpListener listener, B backend, ChatConfig config,
                     wb::signal::ShutdownTrigger shutdown,
                     std::shared_ptr<ChatMetrics> metrics = std::make_shared<ChatMetrics>()) {
  auto shared = std::make_shared<SessionShared>();
  shared->config = config;
  shared->metrics = metrics;
  auto count = std::make_shared<SessionCount>();
  std::uint64_t next_id = 1;
  for (;;) {
    auto stop = shutdown.wait();
    auto next = listener.accept();
    auto won = co_await wb::select_biased(std::move(stop), std::move(next));
    if (won.index() == 0) break;  // 1. stop accepting
    auto& accepted = std::get<1>(won);
    if (!accepted) continue;  // one failed accept (a reset before we took it) is not the end
    // Chat lines are small writes that must leave at once: without TCP_NODELAY, Nagle's algorithm
    // holds a line back until the previous one is acknowledged, and the peer's delayed ACK makes
    // that wait tens of milliseconds. A failure only costs latency, so it is not an error.
    (void)accepted->stream.set_nodelay(true);
    ++metrics->connections;
    count->started();
    wb::spawn(
        detail::counted_session(backend, std::move(accepted->stream), next_id++, shared, count))
        .detach();
  }
  {
    wb::net::TcpListener closed = std::move(listener);  // new connections are refused now
  }
  // 2. The notice goes into every room before the sessions are told to stop, so that each
  // session finds it there when it drains its room on the way out.
  co_await backend.announce_all("Server shutting down...");
  shared->stop.trigger();
  // 3. Each session flushes its queue within config.drain_timeout and ends.
  co_await count->all_ended();
}
// ANCHOR_END: serve

}  // namespace chat
