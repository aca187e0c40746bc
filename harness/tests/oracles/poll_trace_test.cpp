// The poll/wake timeline `check --trace` shows: each poll with its waker and answer, each wake
// with its waker, its thread and whether it still counted, as text and as a Mermaid diagram.
#include "wb/oracle/poll_trace.hpp"

#include <chrono>
#include <string>
#include <thread>

#include "wb/core/poll_fn.hpp"
#include "wb/oracle/oracles.hpp"
#include "wb/testing/catch.hpp"

using Catch::Matchers::ContainsSubstring;
using wb::oracle::PollTrace;

TEST_CASE("a trace lists polls answers and wakes in order with old wakers named") {
  PollTrace trace;
  trace.poll_started(1, 1, false);
  trace.woke(1, 1, false);
  trace.poll_ended(1, false);
  trace.poll_started(2, 2, false);
  std::thread([&] { trace.woke(1, 2, false); }).join();
  trace.poll_ended(2, false);
  auto const text = trace.text("waker-swap");
  CHECK_THAT(text, ContainsSubstring("trace (waker-swap oracle"));
  CHECK_THAT(text, ContainsSubstring("poll #1 with waker #1"));
  CHECK_THAT(text, ContainsSubstring("waker #1 woken from the oracle's thread, during poll #1"));
  CHECK_THAT(text, ContainsSubstring("poll #1 returned Pending"));
  CHECK_THAT(text,
             ContainsSubstring(
                 "waker #1 woken from thread 2, during poll #2 — an old one: #2 is the newest"));
  CHECK(text.find("poll #1 with") < text.find("poll #2 with"));

  auto const diagram = trace.mermaid("waker-swap");
  CHECK_THAT(diagram, ContainsSubstring("sequenceDiagram"));
  CHECK_THAT(diagram, ContainsSubstring("participant T2 as thread 2"));
  CHECK_THAT(diagram, ContainsSubstring("O->>F: poll #2 (waker #2)"));
  CHECK_THAT(diagram, ContainsSubstring("T2-)O: wake waker #1 (old)"));
  CHECK_THAT(diagram, ContainsSubstring("F-->>O: Pending"));
}

TEST_CASE("a trace of a long run keeps its start and its end") {
  PollTrace trace;
  for (std::size_t poll = 1; poll <= 1000; ++poll) {
    trace.poll_started(poll, 1, false);
    trace.poll_ended(poll, poll == 1000);
  }
  auto const text = trace.text("spin");
  CHECK_THAT(text, ContainsSubstring("poll #1 with waker #1"));
  CHECK_THAT(text, ContainsSubstring("events left out"));
  CHECK_THAT(text, ContainsSubstring("more events, not kept"));
  CHECK(text.size() < 8000);
}

TEST_CASE("an oracle's verdict carries its timeline in fields of its own and not in its words") {
  wb::oracle::Options options;
  options.deadline = std::chrono::milliseconds(50);
  options.trace = true;
  std::string what;
  std::string trace;
  std::string diagram;
  try {
    wb::oracle::parking(wb::poll_fn([](wb::Context&) -> wb::Poll<int> { return wb::pending; }),
                        options);
  } catch (wb::ContractViolation const& violation) {
    what = violation.what();
    trace = violation.trace();
    diagram = violation.trace_diagram();
  }
  CHECK_THAT(what, ContainsSubstring("nothing will ever wake it"));
  CHECK(what.find("trace (") == std::string::npos);
  CHECK(trace.starts_with("trace (parking oracle; times from the first poll):"));
  CHECK_THAT(trace, ContainsSubstring("poll #1 returned Pending"));
  CHECK(diagram.starts_with("sequenceDiagram\n"));
  CHECK_THAT(diagram, ContainsSubstring("F-->>O: Pending"));
}
