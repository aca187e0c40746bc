// Exercise 2: one client's session — a select over its socket (the next line), its room (the
// next message), the server's stop signal and its idle timer; everything it sends goes through
// a bounded queue drained by a writer task of its own, and a line that finds the queue full is
// dropped for that client and counted, so a slow reader never holds anyone up.
// Read book/src/ch16-chat-server.md, then replace the WB_TODOs.
// Check your work with:  scripts/workbook check ch16
#pragma once

#include <chat_config.hpp>
#include <chat_metrics.hpp>
#include <chat_protocol.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <room_backend.hpp>
#include <span>
#include <string>
#include <token_bucket.hpp>
#include <utility>
#include <variant>
#include <wb/combinator/select.hpp>
#include <wb/core/contract.hpp>
#include <wb/io/async_read.hpp>
#include <wb/io/async_write.hpp>
#include <wb/io/buf_reader.hpp>
#include <wb/io/io_error.hpp>
#include <wb/io/read_line.hpp>
#include <wb/io/write_all.hpp>
#include <wb/signal/shutdown_trigger.hpp>
#include <wb/sync/mpsc.hpp>
#include <wb/task/spawn.hpp>
#include <wb/task/task.hpp>
#include <wb/time/sleep.hpp>
#include <wb/time/timeout.hpp>
#include <wb/time/timer_driver.hpp>

namespace chat {

/// What every session shares: the settings, the counters, and the server's signal to stop
/// (given after the shutdown notice is in every room).
struct SessionShared {
  ChatConfig config;
  std::shared_ptr<ChatMetrics> metrics = std::make_shared<ChatMetrics>();
  wb::signal::ShutdownTrigger stop;
};

// ANCHOR: writer
/// The writer task: writes each queued line to the client until the queue closes and is empty,
/// then closes the client's side of the connection. A write error ends it: the client is gone.
template <wb::AsyncWrite W>
wb::Task<void> write_lines(W writer, wb::mpsc::Receiver<std::string> queue) {
  (void)writer;
  (void)queue;
  WB_TODO(
      "a loop: auto line = co_await queue.recv(); stop when it is Closed; co_await "
      "wb::write_all(writer, std::span<char const>(*line)) and co_return on an error; after "
      "the loop co_await wb::shutdown(writer)");
}
// ANCHOR_END: writer

// ANCHOR: outbox
/// The session's end of the client's queue. send() never waits: when the queue is full the line
/// is dropped for this client (and counted), because waiting would stop the session from
/// reading its room and its socket while one slow reader catches up.
class Outbox {
 public:
  Outbox(wb::mpsc::Sender<std::string> queue, std::shared_ptr<ChatMetrics> metrics)
      : queue_(std::move(queue)), metrics_(std::move(metrics)) {}

  /// False once the writer is gone (the client's connection failed).
  bool send(std::string line) {
    (void)line;
    WB_TODO(
        "queue_.try_send(line + \"\\n\") — never a waiting send: sent, count "
        "messages_out and return true; full, count dropped and return true (the line is lost "
        "for this client only); closed, return false");
  }

 private:
  wb::mpsc::Sender<std::string> queue_;
  std::shared_ptr<ChatMetrics> metrics_;
};
// ANCHOR_END: outbox

namespace detail {
inline std::string join_names(std::vector<std::string> const& names) {
  std::string text;
  for (auto const& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

inline wb::Instant now() { return wb::TimerDriver::current().now(); }
}  // namespace detail

// ANCHOR: session
/// Serves client `id` from its first line to its last: reader and writer are the two halves of
/// its connection (or a test's doubles).
template <RoomBackend B, wb::AsyncRead R, wb::AsyncWrite W>
wb::Task<void> run_session(B backend, R reader, W writer, std::uint64_t id,
                           std::shared_ptr<SessionShared> shared) {
  (void)backend;
  (void)reader;
  (void)writer;
  (void)id;
  (void)shared;
  WB_TODO(
      "see the book: the queue and its writer task, guest-<id> (claim_nick), join #general "
      "and announce it, the welcome; then a loop of wb::select_biased(stop, room message, "
      "next line, idle timer) and what each winner means; at the end leave, release the "
      "nickname, close the queue and give the writer config.drain_timeout to flush");
}
// ANCHOR_END: session

}  // namespace chat
