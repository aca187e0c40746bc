// Exercise: an echo server — it accepts TCP clients and sends every line a client sends straight
// back to that client, serving all clients at the same time. It logs "[ADDRESS] Connected" when
// a client's turn begins and "[ADDRESS] Disconnected" when it ends, whichever way it ends: the
// client's end of the data, or a read or write error — which ends that client only.
// Read book/src/ch14-exercises.md, then replace the WB_TODOs.
// Check your work with:  scripts/workbook check ch14
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

// ANCHOR: echo_server_stub
/// Serves one client, whose address is `peer` ("127.0.0.1:50312"): logs "[peer] Connected",
/// then reads lines from `reader` and writes each one back to `writer`, its "\n" included,
/// until the end of the data or an error; then logs "[peer] Disconnected".
/// Any AsyncRead and AsyncWrite will do: the two halves of a TcpStream, or a test's doubles.
template <wb::AsyncRead Reader, wb::AsyncWrite Writer>
wb::Task<void> echo_lines(Reader reader, Writer writer, std::string peer, EchoLog log) {
  (void)reader;
  (void)writer;
  (void)peer;
  (void)log;
  WB_TODO(
      "log \"[peer] Connected\"; wrap the reader in a wb::BufReader; loop: co_await "
      "wb::read_line(buffered, line), stop at 0 bytes or an error, co_await wb::write_all(writer, "
      "line), stop at an error; then log \"[peer] Disconnected\"");
}

/// Accepts clients on `listener` for as long as it runs, each served by echo_lines in a task of
/// its own, on the two halves of its stream.
inline wb::Task<void> serve(wb::net::TcpListener listener, EchoLog log) {
  (void)listener;
  (void)log;
  WB_TODO(
      "loop: auto accepted = co_await listener.accept(); split accepted->stream with "
      "std::move(...).into_split(); wb::spawn(echo_lines(read half, write half, "
      "accepted->peer.to_string(), log)).detach()");
}
// ANCHOR_END: echo_server_stub
