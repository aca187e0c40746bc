// Reference solution: one client's session — a select over its socket (the next line), its room
// (the next message), the server's stop signal and its idle timer; everything it sends goes
// through a bounded queue drained by a writer task of its own, and a line that finds the queue
// full is dropped for that client and counted, so a slow reader never holds anyone up.
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

/// How many bytes of queued lines the writer gathers into one write, at most (a line longer
/// than that still goes whole).
inline constexpr std::size_t write_batch_bytes = 64 * 1024;

// ANCHOR: writer
/// The writer task: writes each queued line to the client until the queue closes and is empty,
/// then closes the client's side of the connection. A write error ends it: the client is gone.
template <wb::AsyncWrite W>
wb::Task<void> write_lines(W writer, wb::mpsc::Receiver<std::string> queue) {
  std::string batch;
  for (;;) {
    auto line = co_await queue.recv();
    if (!line) break;  // closed and drained: the session is over
    batch = std::move(*line);
    // The lines queued meanwhile go out in the same write: in a busy room one system call (and
    // one wake-up of the client) carries many lines instead of one each.
    while (batch.size() < write_batch_bytes) {
      auto more = queue.try_recv();
      if (!more) break;
      batch += *more;
    }
    auto written = co_await wb::write_all(writer, std::span<char const>(batch));
    if (!written) co_return;
  }
  (void)co_await wb::shutdown(writer);  // a client already gone needs no end of stream
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
    auto sent = queue_.try_send(std::move(line) + "\n");
    if (sent) {
      ++metrics_->messages_out;
      return true;
    }
    if (sent.error().is_full()) {
      ++metrics_->dropped;
      return true;
    }
    return false;
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

/// How many room messages one turn of the session's loop passes on at most.
inline constexpr int room_batch = 64;
}  // namespace detail

// ANCHOR: session
/// Serves client `id` from its first line to its last: reader and writer are the two halves of
/// its connection (or a test's doubles).
template <RoomBackend B, wb::AsyncRead R, wb::AsyncWrite W>
wb::Task<void> run_session(B backend, R reader, W writer, std::uint64_t id,
                           std::shared_ptr<SessionShared> shared) {
  ChatConfig const& config = shared->config;
  ChatMetrics& metrics = *shared->metrics;
  ++metrics.clients;
  auto queue = wb::mpsc::channel<std::string>(config.queue_capacity);
  auto writer_task = wb::spawn(write_lines(std::move(writer), std::move(queue.second)));
  std::optional<Outbox> out(std::in_place, std::move(queue.first), shared->metrics);

  std::string nick;
  for (std::uint64_t n = id;; ++n) {  // guest-<id>, or the next number free
    nick = "guest-" + std::to_string(n);
    bool const claimed = co_await backend.claim_nick(id, nick);
    if (claimed) break;
  }
  std::string room = "#general";
  auto subscription = co_await backend.join(room, id);
  RoomMessage const arrived{room, "", nick + " joined " + room, id, 0};
  co_await backend.publish(arrived);
  // The welcome after the join: a client that has it is in the room.
  out->send("[server] welcome, you are " + nick + " in " + room +
            " (commands: /join /nick /rooms /who /quit)");

  wb::BufReader<R> buffered(std::move(reader));
  std::string line;  // a line may arrive in pieces: a piece read before a select lost stays here
  TokenBucket bucket(config.rate_limit, config.burst, detail::now());
  wb::Instant last_heard = detail::now();
  bool running = true;
  bool stopping = false;

  while (running) {
    // Biased: the stop first, then the room, then the socket, then the idle timer.
    auto stop = shared->stop.wait();
    auto message = subscription.next();
    auto next_line = wb::read_line(buffered, line, max_line_bytes - line.size());
    auto idle = wb::sleep_until(last_heard + config.idle_timeout);
    auto won = co_await wb::select_biased(std::move(stop), std::move(message), std::move(next_line),
                                          std::move(idle));
    switch (won.index()) {
      case 0: {  // the server is shutting down: pass on what the room already has, then end
        stopping = true;
        while (auto left = subscription.try_next()) {
          if (left->origin != id) out->send(render(*left));
        }
        running = false;
        break;
      }
      case 1: {  // a message of the room
        auto& received = std::get<1>(won);
        if (!received) {  // the room is gone
          running = false;
          break;
        }
        // This message, then what else the room already holds (a busy room's backlog costs one
        // select instead of one each); the bound keeps the stop signal and the socket in view.
        std::optional<RoomMessage> next = std::move(*received);
        for (int taken = 0; next && running; ++taken) {
          if (next->origin != id) {  // the sender gets no echo
            if (next->missed > 0) ++metrics.lagged;
            if (!out->send(render(*next))) running = false;
          }
          if (taken == detail::room_batch) break;
          next = subscription.try_next();
        }
        break;
      }
      case 2: {  // a line from the client (or its end)
        auto& read = std::get<2>(won);
        if (!read) {
          if (read.error() == wb::make_error_code(wb::IoErrc::line_too_long)) {
            out->send("[server] error: a line may have at most " + std::to_string(max_line_bytes) +
                      " bytes; disconnecting");
          }
          running = false;
          break;
        }
        // The client's end of the data; a last piece without its "\n" came with it (read_line
        // counts it) and is lost, as the protocol says: it was never a whole line.
        if (*read == 0 || line.back() != '\n') {
          running = false;
          break;
        }
        last_heard = detail::now();
        std::string text = line;
        line.clear();
        if (!text.empty() && text.back() == '\n') text.pop_back();
        if (!bucket.try_take(last_heard)) {
          ++metrics.rate_limited;
          out->send("[server] slow down: line refused (at most " +
                    std::to_string(static_cast<long>(config.rate_limit)) + " lines a second)");
          break;
        }
        Command command = parse_command(text);
        if (auto* say = std::get_if<Say>(&command)) {
          ++metrics.commands[ChatMetrics::say];
          ++metrics.messages_in;
          RoomMessage const said{room, nick, say->text, id, 0};
          co_await backend.publish(said);
        } else if (auto* join = std::get_if<Join>(&command)) {
          ++metrics.commands[ChatMetrics::join];
          if (join->room == room) {
            out->send("[server] error: you are already in " + room);
            break;
          }
          RoomMessage const leaving{room, "", nick + " left " + room + " for " + join->room, id, 0};
          co_await backend.publish(leaving);
          co_await backend.leave(room, id);
          room = join->room;
          subscription = co_await backend.join(room, id);
          out->send("[server] you are now in " + room);
          RoomMessage const joined{room, "", nick + " joined " + room, id, 0};
          co_await backend.publish(joined);
        } else if (auto* rename = std::get_if<Nick>(&command)) {
          ++metrics.commands[ChatMetrics::nick];
          bool const claimed = co_await backend.claim_nick(id, rename->name);
          if (!claimed) {
            out->send("[server] error: the nickname " + rename->name + " is taken");
            break;
          }
          RoomMessage const renamed{room, "", nick + " is now " + rename->name, id, 0};
          nick = rename->name;
          co_await backend.publish(renamed);
          out->send("[server] you are now " + nick);
        } else if (std::holds_alternative<ListRooms>(command)) {
          ++metrics.commands[ChatMetrics::rooms];
          auto list = co_await backend.rooms();
          metrics.rooms_count = static_cast<std::int64_t>(list.size());
          std::string text_of_rooms;
          for (auto const& info : list) {
            text_of_rooms += (text_of_rooms.empty() ? "" : ", ") + info.name + " (" +
                             std::to_string(info.members) + ")";
          }
          out->send("[server] rooms: " + text_of_rooms);
        } else if (std::holds_alternative<Who>(command)) {
          ++metrics.commands[ChatMetrics::who];
          auto names = co_await backend.who(room);
          out->send("[server] in " + room + ": " + detail::join_names(names));
        } else if (std::holds_alternative<Quit>(command)) {
          ++metrics.commands[ChatMetrics::quit];
          out->send("[server] bye");
          running = false;
        } else if (auto* invalid = std::get_if<Invalid>(&command)) {
          ++metrics.commands[ChatMetrics::invalid];
          out->send("[server] error: " + invalid->reason);
        }
        break;
      }
      case 3: {  // nothing heard for idle_timeout
        ++metrics.idle_timeouts;
        out->send("[server] no line for " + std::to_string(config.idle_timeout.count()) +
                  " s; disconnecting");
        running = false;
        break;
      }
    }
  }

  if (!stopping) {
    RoomMessage const gone{room, "", nick + " left " + room, id, 0};
    co_await backend.publish(gone);
  }
  co_await backend.leave(room, id);
  co_await backend.release_nick(id);
  // Closing the queue lets the writer flush what is in it and end; a client that does not read
  // gets drain_timeout to take it, then its writer is cancelled.
  out.reset();
  auto abort_writer = writer_task.abort_handle();
  auto flushed = co_await wb::timeout(config.drain_timeout, std::move(writer_task));
  if (!flushed) abort_writer.abort();
  --metrics.clients;
}
// ANCHOR_END: session

}  // namespace chat
