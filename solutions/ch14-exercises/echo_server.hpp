// Reference solution: an echo server — the accept loop spawns a task per client and goes straight
// back to accepting; each client's task reads lines through a buffer and writes each one back
// whole (write_all), and every way out of its loop — the end of the data, a read error, a write
// error — passes the one "Disconnected" line at the end.
#pragma once

#include <echo_log.hpp>
#include <span>
#include <string>
#include <utility>
#include <wb/core/contract.hpp>
#include <wb/io/async_read.hpp>
#include <wb/io/async_write.hpp>
#include <wb/io/buf_reader.hpp>
#include <wb/io/read_line.hpp>
#include <wb/io/write_all.hpp>
#include <wb/net/tcp_listener.hpp>
#include <wb/net/tcp_stream.hpp>
#include <wb/task/spawn.hpp>
#include <wb/task/task.hpp>

// ANCHOR: echo_lines
template <wb::AsyncRead Reader, wb::AsyncWrite Writer>
wb::Task<void> echo_lines(Reader reader, Writer writer, std::string peer, EchoLog log) {
  log.write("[" + peer + "] Connected");
  wb::BufReader<Reader> buffered(std::move(reader));
  std::string line;
  for (;;) {
    line.clear();
    auto read = co_await wb::read_line(buffered, line);
    if (!read || *read == 0) break;  // an error, or the client's end of the data
    auto written = co_await wb::write_all(writer, std::span<char const>(line));
    if (!written) break;  // the client is gone: this client only
  }
  log.write("[" + peer + "] Disconnected");
}
// ANCHOR_END: echo_lines

// ANCHOR: serve
inline wb::Task<void> serve(wb::net::TcpListener listener, EchoLog log) {
  for (;;) {
    auto accepted = co_await listener.accept();
    if (!accepted) {
      log.write("accept failed: " + accepted.error().message());
      co_return;
    }
    std::string peer = accepted->peer.to_string();
    auto halves = std::move(accepted->stream).into_split();
    // A task per client; the loop is back at accept at once.
    wb::spawn(echo_lines(std::move(halves.first), std::move(halves.second), std::move(peer), log))
        .detach();
  }
}
// ANCHOR_END: serve
