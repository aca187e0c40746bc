// Async writing: write_all across partial writes and Pending gaps, BufWriter's buffering and
// flushing, and copy from an AsyncRead into an AsyncWrite — against the SlowWriter double and
// under the oracles.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "wb/exec/block_on.hpp"
#include "wb/io/async_write.hpp"
#include "wb/io/buf_writer.hpp"
#include "wb/io/chunked_reader.hpp"
#include "wb/io/copy.hpp"
#include "wb/io/io_error.hpp"
#include "wb/io/write_all.hpp"
#include "wb/oracle/oracles.hpp"
#include "wb/task/task.hpp"
#include "wb/testing/catch.hpp"
#include "wb/testing/slow_writer.hpp"
#include "wb/testing/wake_counter.hpp"

using wb::testing::SlowWriter;
using Gap = wb::PendingGap::Kind;

namespace {

std::string const text = "the quick brown fox jumps over the lazy dog\n";

/// A writer that takes nothing: every write answers Ready(0).
struct FullWriter {
  wb::Poll<wb::IoResult<std::size_t>> poll_write(wb::Context&, std::span<char const>) {
    return wb::IoResult<std::size_t>(std::size_t{0});
  }
  wb::Poll<wb::IoResult<void>> poll_flush(wb::Context&) { return wb::IoResult<void>(); }
  wb::Poll<wb::IoResult<void>> poll_shutdown(wb::Context&) { return wb::IoResult<void>(); }
};
static_assert(wb::AsyncWrite<FullWriter>);

/// Writes `pieces` one write_all each, then flushes.
template <wb::AsyncWrite W>
wb::Task<wb::IoResult<void>> write_pieces(W& writer, std::vector<std::string> pieces) {
  for (auto const& piece : pieces) {
    auto written = co_await wb::write_all(writer, piece);
    if (!written) co_return written;
  }
  co_return co_await wb::flush(writer);
}

/// Calls check(oracle) once for each oracle that drives a future to the end.
template <class Check>
void under_every_oracle(Check check) {
  check([](auto f) { return wb::oracle::parking(std::move(f)); });
  check([](auto f) { return wb::oracle::spurious(std::move(f)); });
  check([](auto f) { return wb::oracle::waker_swap(std::move(f)); });
  check([](auto f) { return wb::oracle::threaded(std::move(f)); });
  check([](auto f) { return wb::oracle::after_ready(std::move(f)); });
}

}  // namespace

// --- write_all ---

TEST_CASE("write_all writes every byte through a writer that takes three at a time") {
  SlowWriter writer(3, Gap::none);
  REQUIRE(wb::block_on(wb::write_all(writer, text)));
  CHECK(writer.written() == text);
  CHECK(writer.writes() == (text.size() + 2) / 3);
}

TEST_CASE("write_all goes on after every Pending gap under every oracle") {
  under_every_oracle([](auto oracle) {
    SlowWriter writer(3, Gap::wake_from_thread);
    auto result = oracle(wb::write_all(writer, text)).value;
    REQUIRE(result);
    CHECK(writer.written() == text);
    CHECK(writer.pendings() >= writer.writes());  // a gap before each write, more if spurious
  });
}

TEST_CASE("write_all stops at the first error and reports it") {
  SlowWriter writer(4, Gap::wake_at_once);
  writer.fail_after(10, std::make_error_code(std::errc::connection_reset));
  auto result = wb::block_on(wb::write_all(writer, text));
  REQUIRE_FALSE(result);
  CHECK(result.error() == std::errc::connection_reset);
  CHECK(writer.written() == text.substr(0, 10));
}

TEST_CASE("write_all to a writer that takes no bytes ends with write_zero instead of spinning") {
  FullWriter writer;
  auto result = wb::block_on(wb::write_all(writer, text));
  REQUIRE_FALSE(result);
  CHECK(result.error() == wb::IoErrc::write_zero);
  CHECK(wb::block_on(wb::write_all(writer, std::string_view())));  // nothing to write: done
}

// --- BufWriter ---

TEST_CASE("a BufWriter passes small writes to the inner writer only when its buffer fills") {
  wb::BufWriter buffered(SlowWriter(1000, Gap::none), 16);
  for (int i = 0; i < 8; ++i) REQUIRE(wb::block_on(wb::write_all(buffered, std::string("ab"))));
  CHECK(buffered.get_ref().writes() == 0);  // 16 bytes: the buffer is full, not over
  CHECK(buffered.buffer().size() == 16);
  REQUIRE(wb::block_on(wb::write_all(buffered, std::string("cd"))));
  CHECK(buffered.get_ref().written() == "abababababababab");
  CHECK(buffered.get_ref().writes() == 1);
  CHECK(buffered.buffer().size() == 2);
  REQUIRE(wb::block_on(wb::flush(buffered)));
  CHECK(buffered.get_ref().written() == "ababababababababcd");
  CHECK(buffered.get_ref().flushes() == 1);
  CHECK(buffered.buffer().empty());
}

TEST_CASE("a BufWriter sends a write as large as its buffer straight through") {
  wb::BufWriter buffered(SlowWriter(1000, Gap::none), 8);
  REQUIRE(wb::block_on(wb::write_all(buffered, std::string("xy"))));
  REQUIRE(wb::block_on(wb::write_all(buffered, std::string("0123456789"))));
  CHECK(buffered.get_ref().written() == "xy0123456789");  // the buffered bytes first
  CHECK(buffered.buffer().empty());
}

TEST_CASE("a BufWriter's shutdown writes out what it buffered before closing") {
  wb::BufWriter buffered(SlowWriter(1000, Gap::none), 64);
  REQUIRE(wb::block_on(wb::write_all(buffered, std::string("last words"))));
  CHECK(buffered.get_ref().written().empty());
  REQUIRE(wb::block_on(wb::shutdown(buffered)));
  CHECK(buffered.get_ref().written() == "last words");
  CHECK(buffered.get_ref().is_shut_down());
}

TEST_CASE("a BufWriter over a slow writer keeps its place across Pending under every oracle") {
  under_every_oracle([](auto oracle) {
    wb::BufWriter buffered(SlowWriter(3, Gap::wake_from_thread), 8);
    std::vector<std::string> pieces{"al", "pha ", "be", "ta gam", "ma del", "ta\n"};
    REQUIRE(oracle(write_pieces(buffered, pieces)).value);
    CHECK(buffered.get_ref().written() == "alpha beta gamma delta\n");
    CHECK(buffered.get_ref().flushed() == buffered.get_ref().written().size());
  });
}

// --- copy ---

TEST_CASE("copy moves everything a reader delivers into a writer and counts the bytes") {
  under_every_oracle([](auto oracle) {
    auto reader = wb::ChunkedReader::split(text, 5, Gap::wake_from_thread);
    SlowWriter writer(3, Gap::wake_from_thread);
    auto copied = oracle(wb::copy(reader, writer)).value;
    REQUIRE(copied);
    CHECK(*copied == text.size());
    CHECK(writer.written() == text);
    CHECK(writer.flushed() == text.size());  // flushed at the end
  });
}

TEST_CASE("copy reports the reader's error with what it copied before kept") {
  wb::ChunkedReader reader({"abc", "def"});
  reader.fail_at_end(std::make_error_code(std::errc::connection_reset));
  SlowWriter writer(2, Gap::none);
  auto copied = wb::block_on(wb::copy(reader, writer));
  REQUIRE_FALSE(copied);
  CHECK(copied.error() == std::errc::connection_reset);
  CHECK(writer.written() == "abcdef");
}

TEST_CASE("copy reports the writer's error") {
  auto reader = wb::ChunkedReader::split(text, 4);
  SlowWriter writer(3, Gap::none);
  writer.fail_after(6, std::make_error_code(std::errc::broken_pipe));
  auto copied = wb::block_on(wb::copy(reader, writer));
  REQUIRE_FALSE(copied);
  CHECK(copied.error() == std::errc::broken_pipe);
}

TEST_CASE("copy flushes a buffering writer while the reader has nothing new") {
  wb::ChunkedReader reader({"hello ", "world"}, Gap::wake_at_once);
  wb::BufWriter buffered(SlowWriter(100, Gap::none), 64);
  auto copying = wb::copy(reader, buffered);
  auto counter = wb::testing::WakeCounter::make();
  wb::Waker waker = counter->waker();
  wb::Context cx(waker);
  REQUIRE(copying.poll(cx).is_pending());  // the gap before "hello "
  REQUIRE(copying.poll(cx).is_pending());  // "hello " buffered, then the gap before "world"
  CHECK(buffered.get_ref().written() == "hello ");
  REQUIRE(copying.poll(cx).is_pending());  // "world" buffered, then the gap before the end
  auto copied = copying.poll(cx);
  REQUIRE(copied.is_ready());
  CHECK(std::move(copied).value().value() == 11);
  CHECK(buffered.get_ref().written() == "hello world");
}
