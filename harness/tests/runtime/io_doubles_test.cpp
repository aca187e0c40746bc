// The I/O test doubles of wb::testing: SlowWriter (a few bytes per write, a Pending gap before
// each) and the in-memory duplex stream pair (bounded, half-closable, usable from two threads).
#include <cstddef>
#include <span>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include "wb/combinator/join.hpp"
#include "wb/exec/block_on.hpp"
#include "wb/io/copy.hpp"
#include "wb/io/write_all.hpp"
#include "wb/oracle/oracles.hpp"
#include "wb/task/task.hpp"
#include "wb/testing/catch.hpp"
#include "wb/testing/duplex_stream.hpp"
#include "wb/testing/slow_writer.hpp"
#include "wb/testing/wake_counter.hpp"

using wb::testing::DuplexStream;
using wb::testing::SlowWriter;
using wb::testing::WakeCounter;
using Gap = wb::PendingGap::Kind;

namespace {

struct CountedContext {
  std::shared_ptr<WakeCounter> counter = WakeCounter::make();
  wb::Waker waker = counter->waker();
  wb::Context cx{waker};
  std::size_t wakes() const { return counter->wakes(); }
};

std::span<char const> bytes(std::string_view text) { return {text.data(), text.size()}; }

/// A wrong write_all: one poll_write, taken to have written everything.
template <wb::AsyncWrite W>
wb::Task<wb::IoResult<void>> write_once(W& writer, std::string_view text) {
  auto written = co_await wb::write(writer, bytes(text));
  if (!written) co_return wb::unexpected(written.error());
  co_return wb::IoResult<void>();
}

/// Everything `reader` delivers until the end of the data.
template <wb::AsyncRead R>
wb::Task<wb::IoResult<std::string>> read_to_end(R& reader) {
  std::string out;
  char buffer[5];
  for (;;) {
    auto count = co_await wb::read(reader, buffer);
    if (!count) co_return wb::unexpected(count.error());
    if (*count == 0) co_return out;
    out.append(buffer, *count);
  }
}

/// Writes `request` and closes its writing side.
wb::Task<wb::IoResult<void>> send_all(DuplexStream& client, std::string request) {
  auto written = co_await wb::write_all(client, request);
  if (!written) co_return written;
  co_return co_await wb::shutdown(client);
}

/// Sends `request` while reading the answer: with small buffers on the way, an echo that waited
/// to read until it had sent everything would never finish.
wb::Task<wb::IoResult<std::string>> ask(DuplexStream& client, std::string request) {
  auto [sent, answer] =
      co_await wb::join(send_all(client, std::move(request)), read_to_end(client));
  if (!sent) co_return wb::unexpected(sent.error());
  co_return answer;
}

}  // namespace

// --- SlowWriter ---

TEST_CASE("a slow writer is Pending before each write and takes at most a few bytes") {
  SlowWriter writer(3, Gap::wake_at_once);
  CountedContext context;
  auto first = writer.poll_write(context.cx, bytes("abcdefg"));
  REQUIRE(first.is_pending());
  CHECK(context.wakes() == 1);  // the gap woke the waker before answering Pending
  auto second = writer.poll_write(context.cx, bytes("abcdefg"));
  REQUIRE(second.is_ready());
  CHECK(std::move(second).value().value() == 3);
  CHECK(writer.poll_write(context.cx, bytes("defg")).is_pending());
  CHECK(writer.written() == "abc");
  CHECK(writer.pendings() == 2);
  CHECK(writer.writes() == 1);
}

TEST_CASE("a slow writer catches a write_all that writes once and calls it done") {
  SlowWriter writer(3, Gap::wake_at_once);
  std::string const text = "more than three bytes";
  REQUIRE(wb::oracle::parking(write_once(writer, text)).value);
  CHECK(writer.written() == "mor");  // what a test of write_all compares against the text
  CHECK(writer.written() != text);
}

TEST_CASE("a slow writer with gaps woken from a thread wakes the newest waker") {
  SlowWriter writer(4, Gap::wake_from_thread);
  REQUIRE(wb::oracle::waker_swap(wb::write_all(writer, std::string("twelve bytes"))).value);
  CHECK(writer.written() == "twelve bytes");
  CHECK(writer.pendings() == 3);
}

TEST_CASE("a slow writer fails after the bytes it was told to and refuses writes after shutdown") {
  SlowWriter writer(4, Gap::none);
  writer.fail_after(6, std::make_error_code(std::errc::connection_reset));
  CountedContext context;
  CHECK(writer.poll_write(context.cx, bytes("abcdefgh")).value().value() == 4);
  CHECK(writer.poll_write(context.cx, bytes("efgh")).value().value() == 2);
  CHECK(writer.poll_write(context.cx, bytes("gh")).value().error() == std::errc::connection_reset);
  REQUIRE(writer.poll_shutdown(context.cx).value());
  CHECK(writer.is_shut_down());
  CHECK(writer.poll_write(context.cx, bytes("x")).value().error() == std::errc::broken_pipe);
}

// --- duplex ---

TEST_CASE("what one end of a duplex pair writes the other reads, in both directions") {
  auto [left, right] = wb::testing::duplex(64);
  REQUIRE(wb::block_on(wb::write_all(left, std::string("ping"))));
  REQUIRE(wb::block_on(wb::write_all(right, std::string("pong"))));
  char buffer[16];
  CHECK(wb::block_on(wb::read(right, buffer)).value() == 4);
  CHECK(std::string(buffer, 4) == "ping");
  CHECK(wb::block_on(wb::read(left, buffer)).value() == 4);
  CHECK(std::string(buffer, 4) == "pong");
}

TEST_CASE("a duplex writer whose peer does not read waits until the peer makes room") {
  auto [left, right] = wb::testing::duplex(4);
  CountedContext writer_context;
  CHECK(left.poll_write(writer_context.cx, bytes("abcdef")).value().value() == 4);
  REQUIRE(left.poll_write(writer_context.cx, bytes("ef")).is_pending());
  CHECK(writer_context.wakes() == 0);
  CountedContext reader_context;
  char buffer[2];
  CHECK(right.poll_read(reader_context.cx, buffer).value().value() == 2);
  CHECK(writer_context.wakes() == 1);  // room again: the waiting writer is woken
  CHECK(left.poll_write(writer_context.cx, bytes("ef")).value().value() == 2);
  CHECK(right.readable() == 4);
}

TEST_CASE("a reader waiting on a duplex end is woken by a write") {
  auto [left, right] = wb::testing::duplex(8);
  CountedContext context;
  char buffer[8];
  REQUIRE(right.poll_read(context.cx, buffer).is_pending());
  CHECK(wb::block_on(wb::write_all(left, std::string("x"))));
  CHECK(context.wakes() == 1);
  CHECK(right.poll_read(context.cx, buffer).value().value() == 1);
}

TEST_CASE("shutting down one end's writing side is the end of the data at the other") {
  auto [left, right] = wb::testing::duplex(16);
  REQUIRE(wb::block_on(wb::write_all(left, std::string("bye"))));
  REQUIRE(wb::block_on(wb::shutdown(left)));
  CHECK(wb::block_on(read_to_end(right)).value() == "bye");
  CHECK(wb::block_on(wb::write_all(left, std::string("more"))).error() == std::errc::broken_pipe);
  // Half closed: the other direction still works.
  REQUIRE(wb::block_on(wb::write_all(right, std::string("ok"))));
  char buffer[4];
  CHECK(wb::block_on(wb::read(left, buffer)).value() == 2);
}

TEST_CASE("dropping a duplex end is the end of the data for its peer and fails its writes") {
  auto [left, right] = wb::testing::duplex(4);
  CountedContext context;
  REQUIRE(wb::block_on(wb::write_all(right, std::string("full"))));
  REQUIRE(right.poll_write(context.cx, bytes("x")).is_pending());
  { DuplexStream gone = std::move(left); }
  CHECK(context.wakes() == 1);  // the blocked writer learns of it at once
  CHECK(right.poll_write(context.cx, bytes("x")).value().error() == std::errc::broken_pipe);
  char buffer[4];
  CHECK(wb::block_on(wb::read(right, buffer)).value() == 0);
}

TEST_CASE("an echo through a duplex pair with a small buffer passes every oracle") {
  std::string request;
  for (int i = 0; i < 50; ++i) request += "line " + std::to_string(i) + "\n";
  auto check = [&](auto oracle) {
    auto [client, server] = wb::testing::duplex(7);
    std::thread echo([&server = server] {
      auto copied = wb::block_on(wb::copy(server, server, 5));
      if (copied) (void)wb::block_on(wb::shutdown(server));
    });
    auto answer = oracle(ask(client, request)).value;
    echo.join();
    REQUIRE(answer);
    CHECK(*answer == request);
  };
  check([](auto f) { return wb::oracle::parking(std::move(f)); });
  check([](auto f) { return wb::oracle::waker_swap(std::move(f)); });
  check([](auto f) { return wb::oracle::threaded(std::move(f)); });
}
