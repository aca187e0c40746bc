// Tests for the hand-written Pipeline state machine. Besides the answer and the poll counts
// under the oracles, they look inside: the state after every poll, how many of each value and
// step future are alive at that moment (pipeline_steps.hpp counts them), and the pipeline's
// size. Last, the same three steps written as a wb::Task coroutine must agree with it.
#include <algorithm>
#include <pipeline.hpp>
#include <set>
#include <string>
#include <vector>
#include <wb/core/yield_now.hpp>
#include <wb/oracle/oracles.hpp>
#include <wb/task/task.hpp>
#include <wb/testing/catch.hpp>

namespace oracle = wb::oracle;

static_assert(wb::Future<Pipeline>, "Pipeline must satisfy wb::Future");

namespace {

Items const numbers = {"3", "1", "4", "1", "5", "9"};
Items const words = {"to", "be", "or", "not", "to", "be"};

oracle::Options four_polls() {
  oracle::Options options;
  options.deadline = std::chrono::milliseconds(500);
  options.expected_polls = 4;
  options.expected_polls_because =
      "each of the three steps is Pending once; when a step is Ready the pipeline polls the next "
      "step in the same poll, so it is Ready on the fourth";
  return options;
}

wb::Poll<Items> poll_once(Pipeline& pipeline) {
  wb::Context cx(wb::Waker::noop());
  return pipeline.poll(cx);
}

/// How many of each counted type are alive, relative to when the snapshot was taken.
struct Alive {
  int fetch_futures = FetchFuture::live();
  int responses = Response::live();
  int body_futures = BodyFuture::live();
  int bodies = Body::live();
  int parse_futures = ParseFuture::live();

  Alive since(Alive const& before) const {
    Alive delta = *this;
    delta.fetch_futures -= before.fetch_futures;
    delta.responses -= before.responses;
    delta.body_futures -= before.body_futures;
    delta.bodies -= before.bodies;
    delta.parse_futures -= before.parse_futures;
    return delta;
  }
};

std::string describe(Alive const& alive) {
  return std::to_string(alive.fetch_futures) + " FetchFuture, " + std::to_string(alive.responses) +
         " Response, " + std::to_string(alive.body_futures) + " BodyFuture, " +
         std::to_string(alive.bodies) + " Body, " + std::to_string(alive.parse_futures) +
         " ParseFuture";
}

/// Polls a new pipeline of mem://numbers `polls` times and returns what is alive then.
Alive alive_after(int polls, std::string_view& state) {
  Alive const before;
  Pipeline pipeline("mem://numbers");
  for (int i = 0; i < polls; ++i) (void)poll_once(pipeline);
  state = pipeline.state_name();
  Alive const now;
  return now.since(before);
}

}  // namespace

TEST_CASE("the pipeline answers the parsed items under the spin executor in four polls") {
  auto out = oracle::spin(Pipeline("mem://numbers"), four_polls());
  CHECK(out.value == numbers);
}

TEST_CASE("the pipeline wakes itself through every step so a parking executor finishes") {
  auto out = oracle::parking(Pipeline("mem://words"), four_polls());
  CHECK(out.value == words);
}

TEST_CASE("the pipeline finishes when its response arrives from another thread") {
  auto out = oracle::threaded(Pipeline("net://numbers"), four_polls());
  CHECK(out.value == numbers);
}

TEST_CASE("the pipeline stays quiet after it is Ready") {
  auto out = oracle::after_ready(Pipeline("mem://words"), four_polls());
  CHECK(out.value == words);
}

TEST_CASE(
    "the pipeline visits four states in order: Fetching then ReadingBody then Parsing then Done") {
  Pipeline pipeline("mem://numbers");
  std::vector<std::string> seen = {std::string(pipeline.state_name())};
  wb::Poll<Items> result = wb::pending;
  for (int poll = 0; poll < 4 && result.is_pending(); ++poll) {
    result = poll_once(pipeline);
    seen.emplace_back(pipeline.state_name());
  }
  std::string trail;
  for (auto const& name : seen) trail += (trail.empty() ? "" : " -> ") + name;
  INFO("the states before the first poll and after each poll: " << trail);
  REQUIRE(result.is_ready());
  CHECK(seen == std::vector<std::string>{"Fetching", "Fetching", "ReadingBody", "Parsing", "Done"});
  CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == 4);
}

TEST_CASE("the fetch future is destroyed as soon as the response arrives") {
  std::string_view state;
  auto const alive = alive_after(2, state);
  std::string const seen = "After the second poll the pipeline is in " + std::string(state) +
                           " with " + describe(alive) + " alive.";
  {
    INFO(seen);
    REQUIRE(state == "ReadingBody");
  }
  if (alive.fetch_futures != 0) {
    FAIL(
        "you keep the FetchFuture alive after the transition that ends its use: it returned "
        "the Response, and nothing will poll it again. Leave the Fetching state (assign the "
        "next state) so that it is destroyed.\n"
        << seen);
  }
  INFO(seen);
  CHECK(alive.responses <= 1);
  CHECK(alive.body_futures == 1);
}

TEST_CASE("the response is destroyed once its body has been read") {
  std::string_view state;
  auto const alive = alive_after(3, state);
  std::string const seen = "After the third poll the pipeline is in " + std::string(state) +
                           " with " + describe(alive) + " alive.";
  {
    INFO(seen);
    REQUIRE(state == "Parsing");
  }
  if (alive.responses != 0) {
    FAIL(
        "you keep the Response alive after the transition that ends its use: once the body "
        "is read and the parser has the content type, nothing needs the Response. The "
        "Parsing state should hold the ParseFuture alone.\n"
        << seen);
  }
  INFO(seen);
  CHECK(alive.body_futures == 0);
  CHECK(alive.fetch_futures == 0);
  CHECK(alive.parse_futures == 1);
  INFO("the Body belongs inside the ParseFuture: move it in, do not keep a copy");
  CHECK(alive.bodies == 1);
}

TEST_CASE("nothing the pipeline made is alive once it is Ready") {
  Alive const before;
  Pipeline pipeline("mem://numbers");
  wb::Poll<Items> result = wb::pending;
  for (int poll = 0; poll < 4 && result.is_pending(); ++poll) result = poll_once(pipeline);
  REQUIRE(result.is_ready());
  auto const alive = Alive().since(before);
  INFO("after Ready the pipeline (in state " << pipeline.state_name() << ") still holds "
                                             << describe(alive)
                                             << ": the last transition, to Done, ends them all");
  CHECK(alive.fetch_futures == 0);
  CHECK(alive.responses == 0);
  CHECK(alive.body_futures == 0);
  CHECK(alive.bodies == 0);
  CHECK(alive.parse_futures == 0);
}

TEST_CASE("a pipeline destroyed halfway destroys the step it was in") {
  // Destroyed in every state it can be in: before its first poll, while fetching, while reading
  // the body, and while parsing. Whatever it holds then must go with it.
  for (int polls = 0; polls <= 3; ++polls) {
    Alive const before;
    std::string state;
    {
      Pipeline pipeline("mem://numbers");
      for (int i = 0; i < polls; ++i) (void)poll_once(pipeline);
      state = std::string(pipeline.state_name());
    }
    auto const alive = Alive().since(before);
    INFO("destroying a pipeline in " << state << " after " << polls << " poll"
                                     << (polls == 1 ? "" : "s") << " cancels it; afterwards "
                                     << describe(alive)
                                     << " are still alive. Everything a state holds must be "
                                        "destroyed with the pipeline, in every state: keep each "
                                        "state's values inside it (a std::variant destroys the "
                                        "one it holds), not behind a pointer only poll lets go of");
    CHECK(alive.fetch_futures == 0);
    CHECK(alive.responses == 0);
    CHECK(alive.body_futures == 0);
    CHECK(alive.bodies == 0);
    CHECK(alive.parse_futures == 0);
    if (alive.fetch_futures + alive.responses + alive.body_futures + alive.bodies +
            alive.parse_futures !=
        0)
      break;  // one state is enough to show it
  }
}

TEST_CASE("the pipeline is no bigger than its largest state plus a small tag") {
  auto out = oracle::spin(Pipeline("mem://numbers"), four_polls());
  REQUIRE(out.value == numbers);
  constexpr std::size_t fetching = sizeof(FetchFuture);
  constexpr std::size_t reading_body = sizeof(Response) + sizeof(BodyFuture);
  constexpr std::size_t parsing = sizeof(ParseFuture);
  constexpr std::size_t largest = std::max({fetching, reading_body, parsing});
  constexpr std::size_t side_by_side = fetching + reading_body + parsing;
  constexpr std::size_t allowed = largest + 64;
  INFO("sizeof(Pipeline) is "
       << sizeof(Pipeline) << " bytes. Its largest state, ReadingBody (a Response and a "
       << "BodyFuture), needs " << reading_body << "; Fetching needs " << fetching
       << " and Parsing " << parsing << ". Every step's values side by side take " << side_by_side
       << " bytes, though only one state's values exist at a time: keep the states in a "
       << "std::variant, which is as big as its largest state plus a tag (allowed: " << allowed
       << " bytes).");
  CHECK(sizeof(Pipeline) <= allowed);
}

// ANCHOR: coroutine
/// The same pipeline as a coroutine: the compiler writes the state machine.
wb::Task<Items> pipeline_coroutine(std::string url) {
  Response response = co_await fetch(std::move(url));
  Body body = co_await response.body();
  co_return co_await parse(std::move(body), response.content_type());
}
// ANCHOR_END: coroutine

TEST_CASE("the pipeline and the same steps as a coroutine agree on the items and the polls") {
  for (std::string url : {"mem://numbers", "mem://words", "net://numbers"}) {
    INFO("fetching " << url);
    auto by_hand = oracle::parking(Pipeline(url), four_polls());
    auto by_compiler = oracle::parking(pipeline_coroutine(url), four_polls());
    CHECK(by_hand.value == by_compiler.value);
    CHECK(by_hand.polls == by_compiler.polls);
  }
}
