// The reporter's line protocol: a verdict's facts travel as tagged fields after the message, and
// lines without them (an older test program's) still read.
#include <wb/testing/catch.hpp>
#include <wb/testing/result_line.hpp>

namespace {

using wb::testing::Reason;
using wb::testing::Status;
using wb::testing::Verdict;

Verdict parsed(std::string const& line) {
  auto event = wb::testing::parse_line(line);
  REQUIRE(event.has_value());
  CHECK_FALSE(event->is_start);
  return event->result;
}

}  // namespace

TEST_CASE("an end line carries the reason the oracle and the location as tagged fields") {
  Verdict verdict;
  verdict.name = "wakes\tonce";
  verdict.status = Status::fail;
  verdict.message = "parking oracle: your future will hang\nPoll #1 returned Pending";
  verdict.reason = Reason::contract;
  verdict.oracle = "parking oracle";
  auto const line = wb::testing::format_end(verdict);
  CHECK(line.find('\n') == std::string::npos);
  CHECK(line.ends_with("\treason=contract\toracle=parking oracle"));
  auto const back = parsed(line);
  CHECK(back.name == verdict.name);
  CHECK(back.status == Status::fail);
  CHECK(back.message == verdict.message);
  CHECK(back.reason == Reason::contract);
  CHECK(back.oracle == "parking oracle");
  CHECK(back.location.empty());
}

TEST_CASE("an oracle's timeline under check --trace travels as two tagged fields") {
  Verdict verdict;
  verdict.name = "wakes";
  verdict.status = Status::fail;
  verdict.message = "parking oracle: your future will hang";
  verdict.reason = Reason::contract;
  verdict.oracle = "parking oracle";
  verdict.trace = "trace (parking oracle; times from the first poll):\n      0.010 ms  poll #1";
  verdict.trace_diagram = "sequenceDiagram\n  O->>F: poll #1 (waker #1)\n";
  auto const line = wb::testing::format_end(verdict);
  CHECK(line.find('\n') == std::string::npos);
  auto const back = parsed(line);
  CHECK(back.message == verdict.message);
  CHECK(back.trace == verdict.trace);
  CHECK(back.trace_diagram == verdict.trace_diagram);
  CHECK(parsed(wb::testing::format_end(Verdict{})).trace.empty());
}

TEST_CASE("a tagged value may hold tabs equals signs and backslashes") {
  Verdict verdict;
  verdict.name = "counts";
  verdict.status = Status::not_started;
  verdict.reason = Reason::not_started;
  verdict.message = "write poll()";
  verdict.location = "a=b\t\\c.hpp:19";
  auto const back = parsed(wb::testing::format_end(verdict));
  CHECK(back.status == Status::not_started);
  CHECK(back.reason == Reason::not_started);
  CHECK(back.location == "a=b\t\\c.hpp:19");
  CHECK(wb::testing::message_with_location(back) == "write poll() (a=b\t\\c.hpp:19)");
}

TEST_CASE("an end line without tags reads its reason from its status") {
  CHECK(parsed("end\tpasses\tpass\t").reason == Reason::passed);
  CHECK(parsed("end\tfails\tfail\t41 == 42").reason == Reason::assertion);
  auto const todo = parsed("end\ttodo\tnot_started\twrite it (countdown.hpp:19)");
  CHECK(todo.reason == Reason::not_started);
  CHECK(todo.message == "write it (countdown.hpp:19)");
}

TEST_CASE(
    "a tag this reader does not know is left out and a field that is no tag spoils the line") {
  auto const back = parsed("end\tt\tfail\tm\treason=crashed\tcolour=red");
  CHECK(back.reason == Reason::crashed);
  CHECK(parsed("end\tt\tfail\tm\treason=no_such_reason").reason == Reason::assertion);
  CHECK_FALSE(wb::testing::parse_line("end\tt\tfail\tm\tnot a tag"));
  CHECK_FALSE(wb::testing::parse_line("end\tt\tmaybe\tm"));
  CHECK_FALSE(wb::testing::parse_line("the learner's own output"));
}

TEST_CASE("a start line names the test") {
  auto const event = wb::testing::parse_line("start\tcounts down");
  REQUIRE(event.has_value());
  CHECK(event->is_start);
  CHECK(event->result.name == "counts down");
}

TEST_CASE("every reason and status reads back from its name") {
  for (int i = 0; i <= static_cast<int>(Reason::not_submitted); ++i) {
    auto const reason = static_cast<Reason>(i);
    CHECK(wb::testing::reason_from_string(wb::testing::to_string(reason)) == reason);
  }
  for (auto status : {Status::pass, Status::fail, Status::not_started}) {
    CHECK(wb::testing::status_from_string(wb::testing::to_string(status)) == status);
  }
  CHECK_FALSE(wb::testing::reason_from_string("hang"));
}
