// Async reading: the AsyncRead and AsyncBufRead concepts, the in-memory ChunkedReader with its
// Pending gaps, BufReader over a plain AsyncRead, and lines() across chunk boundaries.
#include <array>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "wb/exec/block_on.hpp"
#include "wb/io/async_buf_read.hpp"
#include "wb/io/async_read.hpp"
#include "wb/io/buf_reader.hpp"
#include "wb/io/chunked_reader.hpp"
#include "wb/io/io_error.hpp"
#include "wb/io/lines.hpp"
#include "wb/io/read_line.hpp"
#include "wb/oracle/oracles.hpp"
#include "wb/stream/collect.hpp"
#include "wb/task/task.hpp"
#include "wb/testing/catch.hpp"

using Gap = wb::ChunkedReader::Gap;

namespace {

/// An AsyncRead only (no buffer of its own) that gives at most three bytes per read.
class Dribble {
 public:
  explicit Dribble(std::string text) : text_(std::move(text)) {}
  wb::Poll<wb::IoResult<std::size_t>> poll_read(wb::Context&, std::span<char> buffer) {
    std::size_t const n = std::min({buffer.size(), text_.size() - at_, std::size_t{3}});
    text_.copy(buffer.data(), n, at_);
    at_ += n;
    return wb::IoResult<std::size_t>(n);
  }

 private:
  std::string text_;
  std::size_t at_ = 0;
};

static_assert(wb::AsyncRead<Dribble>);
static_assert(!wb::AsyncBufRead<Dribble>);
static_assert(wb::AsyncBufRead<wb::BufReader<Dribble>>);

/// Every line of `reader`, or the error that stopped it.
template <wb::AsyncBufRead R>
wb::Task<std::vector<std::string>> all_lines(R reader) {
  auto lines = wb::lines(std::move(reader));
  std::vector<std::string> out;
  while (auto line = co_await wb::next(lines)) {
    if (!*line) throw std::system_error(line->error());
    out.push_back(std::move(**line));
  }
  co_return out;
}

/// Reads everything with fill_buf and consume, `step` bytes at a time.
template <wb::AsyncBufRead R>
wb::Task<std::string> read_all(R reader, std::size_t step) {
  std::string out;
  for (;;) {
    auto data = co_await wb::fill_buf(reader);
    if (!data) throw std::system_error(data.error());
    if (data->empty()) co_return out;
    auto const taken = std::min(step, data->size());
    out.append(data->substr(0, taken));
    reader.consume(taken);
  }
}

}  // namespace

TEST_CASE("a chunked reader hands out its chunks one by one and then the end") {
  wb::ChunkedReader reader({"ab", "", "cde"});
  wb::Context cx(wb::Waker::noop());
  CHECK(reader.poll_fill_buf(cx).value().value() == "ab");
  CHECK(reader.poll_fill_buf(cx).value().value() == "ab");  // not consumed: the same bytes
  reader.consume(1);
  CHECK(reader.poll_fill_buf(cx).value().value() == "b");
  reader.consume(1);
  CHECK(reader.poll_fill_buf(cx).value().value() == "cde");  // the empty chunk is skipped
  CHECK_THROWS_AS(reader.consume(4), wb::ContractViolation);
  reader.consume(3);
  CHECK(reader.poll_fill_buf(cx).value().value().empty());
  CHECK(reader.pendings() == 0);
}

TEST_CASE("a chunked reader with gaps is Pending before each chunk and before the end") {
  auto outcome =
      wb::oracle::parking(read_all(wb::ChunkedReader({"one ", "two"}, Gap::wake_at_once), 100));
  CHECK(outcome.value == "one two");
  CHECK(outcome.polls == 4);  // a gap before "one ", before "two", before the end, then Ready
  auto threaded =
      wb::oracle::threaded(read_all(wb::ChunkedReader({"x", "y", "z"}, Gap::wake_from_thread), 1));
  CHECK(threaded.value == "xyz");
}

TEST_CASE("read copies no more than the buffer holds") {
  auto reader = wb::ChunkedReader::split("abcdef", 4);
  std::array<char, 3> buffer{};
  CHECK(wb::block_on(wb::read(reader, buffer)).value() == 3);
  CHECK(std::string_view(buffer.data(), 3) == "abc");
  CHECK(wb::block_on(wb::read(reader, buffer)).value() == 1);  // the rest of the first chunk
  CHECK(wb::block_on(wb::read(reader, buffer)).value() == 2);
  CHECK(wb::block_on(wb::read(reader, buffer)).value() == 0);  // the end
}

TEST_CASE("lines joins a line cut across chunks and strips both kinds of line ending") {
  std::string const text = "first\r\nsecond line\n\nlast";
  for (std::size_t size = 1; size <= text.size(); ++size) {
    INFO("chunks of " << size << " bytes");
    CHECK(wb::block_on(all_lines(wb::ChunkedReader::split(text, size))) ==
          std::vector<std::string>{"first", "second line", "", "last"});
  }
}

TEST_CASE("lines ends without an empty line after a final newline and gives none for no data") {
  CHECK(wb::block_on(all_lines(wb::ChunkedReader({"a\n", "b\n"}))) ==
        std::vector<std::string>{"a", "b"});
  CHECK(wb::block_on(all_lines(wb::ChunkedReader({}))).empty());
}

TEST_CASE("lines passes every oracle on a reader whose gaps are woken from a thread") {
  auto make = [] {
    return all_lines(
        wb::ChunkedReader({"al", "pha\nbe", "ta\r", "\ngamma"}, Gap::wake_from_thread));
  };
  std::vector<std::string> const expected{"alpha", "beta", "gamma"};
  CHECK(wb::oracle::parking(make()).value == expected);
  CHECK(wb::oracle::spurious(make()).value == expected);
  CHECK(wb::oracle::waker_swap(make()).value == expected);
  CHECK(wb::oracle::threaded(make()).value == expected);
  CHECK(wb::oracle::after_ready(make()).value == expected);
}

TEST_CASE("a read error is the last item of lines") {
  wb::ChunkedReader reader({"ok\npart"});
  reader.fail_at_end(std::make_error_code(std::errc::connection_reset));
  auto items = wb::block_on(wb::lines(std::move(reader)) | wb::collect());
  REQUIRE(items.size() == 2);
  CHECK(items[0].value() == "ok");
  REQUIRE_FALSE(items[1].has_value());
  CHECK(items[1].error() == std::errc::connection_reset);
}

TEST_CASE("a BufReader makes any AsyncRead an AsyncBufRead") {
  wb::BufReader reader(Dribble("one\ntwo\nthree"), 4);
  CHECK(wb::block_on(all_lines(std::move(reader))) ==
        std::vector<std::string>{"one", "two", "three"});
}

// --- read_line and the line length limit ---

TEST_CASE("read_line appends each line with its newline and answers 0 at the end") {
  auto reader = wb::ChunkedReader::split("one\ntwo\nlast", 3, Gap::wake_at_once);
  std::string line;
  CHECK(wb::block_on(wb::read_line(reader, line)).value() == 4);
  CHECK(line == "one\n");
  CHECK(wb::block_on(wb::read_line(reader, line)).value() == 4);
  CHECK(line == "one\ntwo\n");  // appended, as the name says
  line.clear();
  CHECK(wb::block_on(wb::read_line(reader, line)).value() == 4);
  CHECK(line == "last");
  CHECK(wb::block_on(wb::read_line(reader, line)).value() == 0);
}

TEST_CASE("read_line stops a line longer than its limit with line_too_long, holding the limit") {
  auto reader = wb::ChunkedReader::split(std::string(100, 'x') + "\nnext\n", 7);
  std::string line;
  auto result = wb::block_on(wb::read_line(reader, line, 10));
  REQUIRE_FALSE(result);
  CHECK(result.error() == wb::IoErrc::line_too_long);
  CHECK(result.error().message() == "line longer than the maximum line length");
  CHECK(line == std::string(10, 'x'));  // no more than the limit was kept
}

TEST_CASE("a line exactly as long as the limit is accepted, with or without its newline") {
  wb::ChunkedReader reader({"12", "345\n1234", "5"});
  std::string line;
  CHECK(wb::block_on(wb::read_line(reader, line, 5)).value() == 6);
  line.clear();
  CHECK(wb::block_on(wb::read_line(reader, line, 5)).value() == 5);
}

TEST_CASE("lines ends with a line_too_long error instead of collecting an endless line") {
  std::string const text = "short\n" + std::string(1000, 'y') + "\nnever read\n";
  auto items = wb::block_on(wb::lines(wb::ChunkedReader::split(text, 16), 64) | wb::collect());
  REQUIRE(items.size() == 2);
  CHECK(items[0].value() == "short");
  REQUIRE_FALSE(items[1].has_value());
  CHECK(items[1].error() == wb::IoErrc::line_too_long);
}

TEST_CASE("read_line passes every oracle on a reader whose gaps are woken from a thread") {
  auto read_two = [](std::string text) -> wb::Task<std::string> {
    auto reader = wb::ChunkedReader::split(text, 2, Gap::wake_from_thread);
    std::string line;
    auto first = co_await wb::read_line(reader, line, 8);
    auto second = co_await wb::read_line(reader, line, 8);
    if (!first || !second) throw std::system_error(first ? second.error() : first.error());
    co_return line;
  };
  std::string const expected = "alpha\r\nbeta\n";
  CHECK(wb::oracle::parking(read_two(expected)).value == expected);
  CHECK(wb::oracle::spurious(read_two(expected)).value == expected);
  CHECK(wb::oracle::waker_swap(read_two(expected)).value == expected);
  CHECK(wb::oracle::threaded(read_two(expected)).value == expected);
}
