// Tests for LineParser, a future that holds a view into its own buffer. The parser may be
// immovable or may repair its view when it moves: each test asks the type what it allows
// (std::is_move_constructible and friends) and checks whatever it allows. Before reading
// through a moved parser's view, the tests check where the view points, so a dangling view is
// reported in words instead of as undefined behaviour.
#include <cstdint>
#include <functional>
#include <line_parser.hpp>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>
#include <wb/oracle/oracles.hpp>
#include <wb/testing/catch.hpp>

namespace oracle = wb::oracle;
using Lines = std::vector<std::string>;

static_assert(wb::Future<LineParser>, "LineParser must satisfy wb::Future");

namespace {

// Short enough to live inside the std::string object itself (the small-string optimisation):
// a defaulted move leaves the view pointing into the parser it was moved from.
std::string const short_text = "one\ntwo\nthree";
Lines const short_lines = {"one", "two", "three"};
// Long enough to live on the heap: a defaulted move hands the heap block over, so the view
// happens to stay valid, and only a repair that miscounts is caught here.
std::string const long_text =
    "the first line is long enough for the heap\nthe second line too\nand the third one";
Lines const long_lines = {"the first line is long enough for the heap", "the second line too",
                          "and the third one"};

oracle::Options exactly(std::size_t polls, std::string because) {
  oracle::Options options;
  options.deadline = std::chrono::milliseconds(300);
  options.expected_polls = polls;
  options.expected_polls_because = std::move(because);
  return options;
}

template <class Parser>
wb::Poll<Lines> poll_once(Parser& parser) {
  wb::Context cx(wb::Waker::noop());
  return parser.poll(cx);
}

/// Text on one line: "two\nthree" rather than a line break.
[[maybe_unused]] std::string escaped(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

[[maybe_unused]] bool inside(void const* begin, void const* end, char const* p) {
  auto const at = reinterpret_cast<std::uintptr_t>(p);
  return at >= reinterpret_cast<std::uintptr_t>(begin) &&
         at < reinterpret_cast<std::uintptr_t>(end);
}

// ANCHOR: view_check
/// Empty when `parser`'s view lies inside its own buffer; otherwise what is wrong, in words.
/// Only addresses are compared: nothing is read through a view that may dangle.
template <class Parser>
std::string where_the_view_points(Parser const& parser, void const* other_object,
                                  std::string_view what_other_is) {
  auto const view = parser.unparsed();
  auto const& buffer = parser.buffer();
  if (view.empty()) return "its view is empty, but there were lines left to parse";
  auto const* const begin = buffer.data();
  auto const* const end = buffer.data() + buffer.size();
  if (inside(begin, end, view.data()) && view.data() + view.size() <= end) return {};
  if (inside(other_object, static_cast<char const*>(other_object) + sizeof(Parser), view.data())) {
    return "your view still points into " + std::string(what_other_is) +
           ", not into the buffer of the parser that now owns the text: a defaulted move (or "
           "copy) copies the string_view as it is. Delete the moves, or point the view into "
           "the new buffer";
  }
  return "its view points outside its own buffer (and outside " + std::string(what_other_is) +
         "): measure the view's offset in the old buffer before the buffer moves, then apply "
         "that offset to the new buffer";
}
// ANCHOR_END: view_check

/// Checks that `parser`, just moved or copied from a parser whose view showed `before`, now
/// views its own buffer at the same place, then polls it to the end.
template <class Parser>
void check_relocated(Parser& parser, void const* other_object, std::string_view what_other_is,
                     std::string const& before, Lines const& all_lines) {
  if (auto problem = where_the_view_points(parser, other_object, what_other_is); !problem.empty()) {
    FAIL(problem);
  }
  if (parser.unparsed() != before) {
    FAIL("before it moved, the parser had \"" << escaped(before)
                                              << "\" left to parse; afterwards it has \""
                                              << escaped(parser.unparsed())
                                              << "\". Keep the view at the same offset, or the "
                                                 "parser loses its place");
  }
  auto result = poll_once(parser);
  while (result.is_pending()) result = poll_once(parser);
  CHECK(result.value() == all_lines);
}

}  // namespace

TEST_CASE("a parser yields its lines one per poll under the spin executor") {
  auto out = oracle::spin(LineParser(short_text), exactly(3, "three lines, one per poll"));
  CHECK(out.value == short_lines);
}

TEST_CASE("a parser wakes itself between lines so a parking executor finishes") {
  auto out = oracle::parking(LineParser(long_text), exactly(3, "three lines, one per poll"));
  CHECK(out.value == long_lines);
}

TEST_CASE("a parser of empty text is Ready with no lines at the first poll") {
  auto out = oracle::spin(LineParser(""), exactly(1, "there is nothing to parse"));
  CHECK(out.value.empty());
}

template <class Parser>
void move_before_first_poll() {
  if constexpr (std::is_move_constructible_v<Parser>) {
    Parser original(short_text);
    Parser moved(std::move(original));
    auto out = oracle::spin(std::move(moved), exactly(3, "three lines, one per poll"));
    CHECK(out.value == short_lines);
  } else {
    auto out = oracle::spin(Parser(short_text), exactly(3, "three lines, one per poll"));
    CHECK(out.value == short_lines);
  }
}

TEST_CASE("a parser that can move at all can move before its first poll") {
  move_before_first_poll<LineParser>();
}

template <class Parser>
void move_after_first_poll(std::string const& text, Lines const& lines) {
  auto source = std::make_unique<Parser>(text);
  REQUIRE(poll_once(*source).is_pending());
  if constexpr (std::is_move_constructible_v<Parser>) {
    std::string const before(source->unparsed());
    Parser moved(std::move(*source));
    check_relocated(moved, source.get(), "the parser you moved from", before, lines);
  } else {
    static_assert(!std::is_copy_constructible_v<Parser>,
                  "a LineParser that cannot move must not be copyable either");
    SUCCEED("LineParser cannot move: a polled parser stays where it is, like a pinned future");
  }
}

TEST_CASE("moving a parser of short text after its first poll keeps its view in its own buffer") {
  move_after_first_poll<LineParser>(short_text, short_lines);
}

TEST_CASE("moving a parser of long text after its first poll keeps its view in its own buffer") {
  move_after_first_poll<LineParser>(long_text, long_lines);
}

template <class Parser>
void move_assign_after_first_poll() {
  auto source = std::make_unique<Parser>(short_text);
  REQUIRE(poll_once(*source).is_pending());
  if constexpr (std::is_move_assignable_v<Parser>) {
    Parser target("x\ny\nz");
    REQUIRE(poll_once(target).is_pending());
    std::string const before(source->unparsed());
    target = std::move(*source);
    check_relocated(target, source.get(), "the parser you moved from", before, short_lines);
  } else {
    SUCCEED("LineParser cannot be move-assigned");
  }
}

TEST_CASE("move-assigning a polled parser gives the target a view into its own buffer") {
  move_assign_after_first_poll<LineParser>();
}

template <class Parser>
void copy_after_first_poll() {
  Parser original(short_text);
  REQUIRE(poll_once(original).is_pending());
  if constexpr (std::is_copy_constructible_v<Parser>) {
    std::string const before(original.unparsed());
    Parser copy(original);
    check_relocated(copy, &original, "the parser you copied from", before, short_lines);
  } else if constexpr (std::is_copy_assignable_v<Parser>) {
    FAIL(
        "LineParser cannot be copy-constructed but can be copy-assigned: make both impossible "
        "or both repair the view");
  } else {
    SUCCEED("LineParser cannot be copied");
  }
}

TEST_CASE("a polled parser is either impossible to copy or copied with a view of its own") {
  copy_after_first_poll<LineParser>();
}
