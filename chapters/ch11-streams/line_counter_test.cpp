// Tests for count_non_empty_lines. The text comes from wb::ChunkedReader, an in-memory
// AsyncBufRead that hands it out in the chunks it is given — cut anywhere, as a socket does —
// and can be Pending between chunks, woken at once or from another thread.
#include <algorithm>
#include <cstddef>
#include <line_counter.hpp>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>
#include <wb/io/buf_reader.hpp>
#include <wb/io/chunked_reader.hpp>
#include <wb/oracle/oracles.hpp>
#include <wb/testing/catch.hpp>
#include <wb/testing/test_seed.hpp>

using Gap = wb::ChunkedReader::Gap;

namespace {

/// The chunks, shown the way a test message can say them: "ab" | "c\n".
std::string show(std::vector<std::string> const& chunks) {
  std::ostringstream out;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    if (i > 0) out << " | ";
    out << '"';
    for (char c : chunks[i]) {
      if (c == '\n') {
        out << "\\n";
      } else if (c == '\r') {
        out << "\\r";
      } else if (c == '\t') {
        out << "\\t";
      } else {
        out << c;
      }
    }
    out << '"';
  }
  return out.str();
}

std::vector<std::string> cut(std::string_view text, std::size_t size) {
  std::vector<std::string> chunks;
  for (std::size_t at = 0; at < text.size(); at += size) chunks.emplace_back(text.substr(at, size));
  return chunks;
}

std::size_t count_of(std::vector<std::string> chunks, Gap gap = Gap::none) {
  auto result =
      wb::oracle::parking(count_non_empty_lines(wb::ChunkedReader(std::move(chunks), gap))).value;
  if (!result) throw std::system_error(result.error(), "count_non_empty_lines failed");
  return *result;
}

/// An AsyncRead without a buffer of its own, giving at most three bytes per read.
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

/// What count_non_empty_lines must give, written the plainest way: the text split at each \n,
/// a line counted when it holds anything but \r.
std::size_t model_count(std::string_view text) {
  std::size_t count = 0;
  bool has_text = false;
  for (char c : text) {
    if (c == '\n') {
      count += has_text ? 1 : 0;
      has_text = false;
    } else if (c != '\r') {
      has_text = true;
    }
  }
  return count + (has_text ? 1 : 0);
}

/// A text of a few lines drawn from awkward shapes: empty, only spaces, a lone \r inside, \r\r,
/// with \n or \r\n endings, and the last one sometimes without an ending.
std::string random_text(std::mt19937_64& random) {
  static constexpr std::string_view shapes[] = {"",    "\r",   "  ", "a",    "a b", "\r\r",
                                                " \r", "a\rb", "\t", "word", "\ra"};
  static constexpr std::string_view endings[] = {"\n", "\r\n", "\n"};
  std::string text;
  auto const lines = std::uniform_int_distribution<int>(0, 6)(random);
  for (int line = 0; line < lines; ++line) {
    text += shapes[std::uniform_int_distribution<std::size_t>(0, std::size(shapes) - 1)(random)];
    bool const last = line + 1 == lines;
    if (!last || std::bernoulli_distribution(0.7)(random)) {
      text += endings[std::uniform_int_distribution<std::size_t>(0, 2)(random)];
    }
  }
  return text;
}

/// The text cut at random places into chunks of 1 to 5 bytes.
std::vector<std::string> random_cut(std::string_view text, std::mt19937_64& random) {
  std::vector<std::string> chunks;
  for (std::size_t at = 0; at < text.size();) {
    auto const size = std::uniform_int_distribution<std::size_t>(1, 5)(random);
    chunks.emplace_back(text.substr(at, size));
    at += size;
  }
  return chunks;
}

}  // namespace

TEST_CASE("count_non_empty_lines counts the lines that have text and skips the empty ones") {
  std::vector<std::string> const chunks{"alpha\n\nbeta\n\n\ngamma\n"};
  auto counted = count_of(chunks);
  INFO("in " << show(chunks) << " three lines have text, and count_non_empty_lines counted "
             << counted << ": a line with nothing between two \\n is empty and does not count");
  CHECK(counted == 3);
}

TEST_CASE("every way of cutting the text into chunks gives the same count") {
  std::string const text = "first line\n\nsecond\r\n\r\nthird line, last";
  for (std::size_t size = text.size(); size >= 1; --size) {  // few large chunks first
    auto chunks = cut(text, size);
    auto counted = count_of(chunks);
    INFO("the text cut into " << show(chunks)
                              << " has 3 non-empty lines, and count_non_empty_lines counted "
                              << counted
                              << ". A line cut across two chunks is still one line: remember "
                                 "from one chunk to the next whether the line so far has text");
    CHECK(counted == 3);
    if (counted != 3) break;  // one example is enough
  }
}

TEST_CASE("random texts cut at random places give the count a plain line split gives") {
  // Differential: 300 texts of awkward lines (only spaces, a \r in the middle, \r\r, endings of
  // both kinds, no ending at the end), each cut at random places and read with or without a
  // Pending gap before every chunk, against model_count above. The seed is new each run and
  // printed with a failure, so the same texts can be run again.
  auto const seed = wb::testing::TestSeed::pick();
  std::mt19937_64 random(seed.value);
  for (int round = 1; round <= 300; ++round) {
    auto const text = random_text(random);
    auto const chunks = random_cut(text, random);
    auto const gap = std::bernoulli_distribution(0.5)(random) ? Gap::wake_at_once : Gap::none;
    auto const expected = model_count(text);
    auto const counted = count_of(chunks, gap);
    if (counted != expected) {
      FAIL("random text " << round << " of 300, cut into " << show(chunks)
                          << (gap == Gap::none ? "" : " with a Pending gap before each chunk")
                          << ", has " << expected << " non-empty line" << (expected == 1 ? "" : "s")
                          << ", and count_non_empty_lines counted " << counted
                          << ". A line is what comes before a \\n; it is empty only when it holds "
                             "nothing but \\r — spaces and tabs are text, and a \\r alone in "
                             "the middle of a line does not end it ("
                          << seed.replay("ch11") << ")");
    }
  }
}

TEST_CASE("a crlf line ending cut between its carriage return and its newline is no text") {
  std::vector<std::string> const chunks{"one\r", "\n\r", "\ntwo\r\n"};
  auto counted = count_of(chunks);
  INFO("in " << show(chunks) << " the lines are \"one\", an empty one and \"two\", but " << counted
             << " were counted: the \\r of a \\r\\n line ending is not text, even when "
                "the chunk ends between the \\r and the \\n");
  CHECK(counted == 2);
}

TEST_CASE("the last line counts even without a newline after it") {
  std::vector<std::string> const chunks{"a\n", "b"};
  auto counted = count_of(chunks);
  INFO("in " << show(chunks)
             << " the last line \"b\" has no \\n after it, and count_non_empty_lines counted "
             << counted
             << ": when the data ends in the middle of a line with text, that "
                "line counts too");
  CHECK(counted == 2);
}

TEST_CASE("no text or only line endings has no non-empty lines") {
  CHECK(count_of({}) == 0);
  CHECK(count_of({"\n", "\r\n", "\n"}) == 0);
}

TEST_CASE("count_non_empty_lines waits through Pending gaps under every oracle") {
  auto make = [] {
    return count_non_empty_lines(wb::ChunkedReader(
        {"lin", "e one\nline", " two\r", "\n\nline three"}, Gap::wake_from_thread));
  };
  CHECK(wb::oracle::parking(make()).value.value() == 3);
  CHECK(wb::oracle::spurious(make()).value.value() == 3);
  CHECK(wb::oracle::waker_swap(make()).value.value() == 3);
  CHECK(wb::oracle::threaded(make()).value.value() == 3);
  CHECK(wb::oracle::after_ready(make()).value.value() == 3);
  CHECK(count_of({"a\nb", "\nc"}, Gap::wake_at_once) == 3);
}

TEST_CASE("a read error ends the count with that error") {
  wb::ChunkedReader reader({"one\n", "two\n"});
  reader.fail_at_end(std::make_error_code(std::errc::connection_reset));
  auto result = wb::oracle::parking(count_non_empty_lines(std::move(reader))).value;
  INFO(
      "the reader failed with \"connection reset\" after two lines, but count_non_empty_lines "
      "returned a count: a read error is not the end of the text, return it "
      "(co_return wb::unexpected(chunk.error()))");
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error() == std::errc::connection_reset);
}

TEST_CASE("count_non_empty_lines reads from any AsyncBufRead") {
  wb::BufReader reader(Dribble("one\n\ntwo\nthree"), 5);
  CHECK(wb::oracle::parking(count_non_empty_lines(std::move(reader))).value.value() == 3);
}
