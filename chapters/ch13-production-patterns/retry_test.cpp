// Tests for retry_with_backoff, on virtual time: an operation that fails a given number of
// times notes the virtual time of every attempt, and a jitter that notes every delay it was
// asked about and every sleep it gave back. So the delays are checked exactly — what the
// backoff computed, and what was slept — and a seeded jitter makes a random run repeatable.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <retry.hpp>
#include <sstream>
#include <string>
#include <vector>
#include <wb/core/expected.hpp>
#include <wb/exec/runtime.hpp>
#include <wb/oracle/virtual_time.hpp>
#include <wb/testing/catch.hpp>
#include <wb/testing/duration_text.hpp>
#include <wb/testing/test_seed.hpp>
#include <wb/time/sleep.hpp>
#include <wb/time/timer_driver.hpp>

using namespace std::chrono_literals;

namespace {

using Answer = wb::Expected<std::string, std::string>;

wb::Instant now() { return wb::TimerDriver::current().now(); }

// ANCHOR: flaky
/// An operation that fails its first `failures` attempts ("attempt n: connection refused"),
/// then succeeds; each attempt may take `work` of time. It notes when each attempt started.
struct Flaky {
  struct Log {
    wb::Instant start{};
    int calls = 0;
    std::vector<wb::Duration> started_at;
  };
  std::shared_ptr<Log> log;
  int failures;
  wb::Duration work{};

  wb::Task<Answer> operator()() const { return attempt(log, failures, work); }

  static wb::Task<Answer> attempt(std::shared_ptr<Log> log, int failures, wb::Duration work) {
    int const n = ++log->calls;
    log->started_at.push_back(now() - log->start);
    if (work > wb::Duration::zero()) co_await wb::sleep(work);
    if (n <= failures) co_return wb::unexpected("attempt " + std::to_string(n) + ": refused");
    co_return "answer from attempt " + std::to_string(n);
  }
};

/// Jitter that adds up to a quarter of the delay, drawn from a generator seeded by the test,
/// and notes what it was asked and what it gave. With spread 0 it gives the delay unchanged.
struct RecordingJitter {
  struct Log {
    std::mt19937_64 random;
    std::vector<wb::Duration> asked;
    std::vector<wb::Duration> gave;
  };
  std::shared_ptr<Log> log;
  bool spread;

  wb::Duration operator()(wb::Duration delay) {
    log->asked.push_back(delay);
    wb::Duration extra{};
    if (spread) {
      auto const quarter = std::chrono::duration_cast<std::chrono::milliseconds>(delay).count() / 4;
      extra = std::chrono::milliseconds(
          std::uniform_int_distribution<std::int64_t>(0, quarter)(log->random));
    }
    log->gave.push_back(delay + extra);
    return delay + extra;
  }
};
// ANCHOR_END: flaky

struct Outcome {
  Answer answer = wb::unexpected(std::string("never ran"));
  std::vector<wb::Duration> started_at;  // of each attempt
  std::vector<wb::Duration> asked;       // delays the jitter was asked about
  std::vector<wb::Duration> slept;       // what the jitter gave back
  wb::Duration took{};
};

wb::Task<Answer> timed_retry(Flaky op, unsigned attempts, wb::Duration base, wb::Duration cap,
                             RecordingJitter jitter) {
  op.log->start = now();
  co_return co_await retry_with_backoff(op, attempts, base, cap, jitter);
}

Outcome run_retry(int failures, unsigned attempts, wb::Duration base, wb::Duration cap,
                  bool spread = false, std::uint64_t seed = 0, wb::Duration work = {}) {
  auto op_log = std::make_shared<Flaky::Log>();
  auto jitter_log = std::make_shared<RecordingJitter::Log>();
  jitter_log->random.seed(seed);
  auto runtime = wb::Runtime::builder().virtual_time().build();
  auto const start = runtime.now();
  Outcome outcome;
  outcome.answer = runtime.block_on(timed_retry(Flaky{op_log, failures, work}, attempts, base, cap,
                                                RecordingJitter{jitter_log, spread}));
  outcome.took = runtime.now() - start;
  outcome.started_at = op_log->started_at;
  outcome.asked = jitter_log->asked;
  outcome.slept = jitter_log->gave;
  return outcome;
}

std::string list(std::vector<wb::Duration> const& durations) {
  std::string out;
  for (auto d : durations) out += (out.empty() ? "" : ", ") + wb::testing::duration_text(d);
  return durations.empty() ? "none" : out;
}

/// The delays a correct backoff hands to the jitter when `made` attempts are made: the smaller of
/// base and cap first, then twice the one before, never more than cap.
std::vector<wb::Duration> model_delays(unsigned made, wb::Duration base, wb::Duration cap) {
  std::vector<wb::Duration> delays;
  wb::Duration delay = std::min(base, cap);
  for (unsigned i = 1; i < made; ++i) {
    delays.push_back(delay);
    delay = std::min(cap, delay * 2);
  }
  return delays;
}

/// The gaps between consecutive attempts.
std::vector<wb::Duration> gaps(std::vector<wb::Duration> const& started_at) {
  std::vector<wb::Duration> out;
  for (std::size_t i = 1; i < started_at.size(); ++i)
    out.push_back(started_at[i] - started_at[i - 1]);
  return out;
}

// ANCHOR: explain_timeline
/// What is wrong with the timing of a run of attempts that should have started at `expected`
/// (no attempt takes time of its own here); empty when nothing is.
std::string explain_timeline(Outcome const& run, std::vector<wb::Duration> const& expected) {
  std::string const seen = "the attempts started at " + list(run.started_at) +
                           " of virtual time and retry returned at " +
                           wb::testing::duration_text(run.took) + "; ";
  if (run.started_at == expected && run.took == expected.back()) return "";
  if (!run.started_at.empty() && run.started_at.front() > wb::Duration::zero()) {
    return seen + "the first attempt must be made at once (0 s): sleep only between attempts";
  }
  if (run.started_at == expected && run.took > expected.back()) {
    return seen + "after the last attempt failed it slept another " +
           wb::testing::duration_text(run.took - expected.back()) +
           " that nobody waits for. On the last failure, return its error at once";
  }
  return seen + "expected starts at " + list(expected) + ": the sleeps between attempts must be " +
         list(gaps(expected)) +
         " — the first sleep is base, and each one after it twice the one before";
}
// ANCHOR_END: explain_timeline

}  // namespace

TEST_CASE("three failed attempts with a base of 1 s take 3 s and not 7") {
  auto run = run_retry(100, 3, 1s, 1min);
  {
    auto const problem = explain_timeline(run, {0s, 1s, 3s});
    INFO(problem);
    CHECK(problem.empty());
  }
  REQUIRE_FALSE(run.answer.has_value());
  CHECK(run.answer.error() == "attempt 3: refused");
}

TEST_CASE("the delays double from base and stop growing at the cap") {
  auto run = run_retry(100, 7, 100ms, 1s);
  std::vector<wb::Duration> const expected{100ms, 200ms, 400ms, 800ms, 1s, 1s};
  INFO("the jitter was asked about the delays "
       << list(run.asked) << "; with a base of 100 ms and a cap of 1 s they must be "
       << list(expected)
       << ". Double the delay after each sleep and never let it grow past the cap; hand every "
          "delay to the jitter and sleep what it returns");
  CHECK(run.asked == expected);
}

TEST_CASE("every sleep lasts what the jitter gave") {
  std::uint64_t const seed = 20261206;
  auto run = run_retry(100, 5, 1s, 10s, true, seed);
  INFO("with the jitter seeded with " << seed << ", it gave the sleeps " << list(run.slept)
                                      << " (for the delays " << list(run.asked)
                                      << "), but the attempts were " << list(gaps(run.started_at))
                                      << " apart. Sleep what the jitter returns, not the delay "
                                         "you gave it: jitter is what spreads the retries of many "
                                         "clients apart");
  CHECK(run.slept.size() == 4);
  CHECK(gaps(run.started_at) == run.slept);
}

TEST_CASE("the first attempt is made at once and a first success returns without a sleep") {
  auto run = run_retry(0, 5, 1s, 10s);
  {
    auto const problem = explain_timeline(run, {0s});
    INFO(problem);
    CHECK(problem.empty());
  }
  REQUIRE(run.answer.has_value());
  CHECK(*run.answer == "answer from attempt 1");
  CHECK(run.asked.empty());
}

TEST_CASE("a success on the third attempt ends the retries") {
  auto run = run_retry(2, 5, 1s, 10s);
  INFO("attempts started at " << list(run.started_at)
                              << "; the third succeeded, so there must be no fourth");
  REQUIRE(run.answer.has_value());
  CHECK(*run.answer == "answer from attempt 3");
  CHECK(run.started_at == std::vector<wb::Duration>{0s, 1s, 3s});
  CHECK(run.took == 3s);
}

TEST_CASE("after the last failure its error comes back at once") {
  auto run = run_retry(100, 4, 1s, 1min);
  {
    auto const problem = explain_timeline(run, {0s, 1s, 3s, 7s});
    INFO(problem);
    CHECK(problem.empty());
  }
  REQUIRE_FALSE(run.answer.has_value());
  INFO("retry returned the error \""
       << run.answer.error()
       << "\"; it must return the error of the last attempt (attempt 4): that is the freshest "
          "news about the service");
  CHECK(run.answer.error() == "attempt 4: refused");
}

TEST_CASE("a long run of failures sleeps the cap between the late attempts") {
  auto run = run_retry(100, 40, 1ms, 1s);
  REQUIRE(run.asked.size() == 39);
  wb::Duration most{};
  for (auto d : run.asked) most = std::max(most, d);
  INFO("the longest delay was " << wb::testing::duration_text(most) << " with a cap of 1 s");
  CHECK(most == 1s);
  CHECK(run.asked.back() == 1s);
  CHECK(run.asked.front() == 1ms);
}

TEST_CASE("retry_with_backoff passes the virtual-time oracle when attempts take time") {
  auto op_log = std::make_shared<Flaky::Log>();
  auto jitter_log = std::make_shared<RecordingJitter::Log>();
  auto outcome = wb::oracle::virtual_time(
      retry_with_backoff(Flaky{op_log, 2, 100ms}, 5, 1s, 10s, RecordingJitter{jitter_log, false}));
  REQUIRE(outcome.value.has_value());
  INFO(
      "three attempts of 100 ms each with sleeps of 1 s and 2 s between them take 3.3 s; "
      "this took "
      << wb::testing::duration_text(outcome.elapsed));
  CHECK(outcome.elapsed == 3300ms);
}

TEST_CASE("random failures attempts bases and caps give the timeline of a model") {
  // Differential: 200 runs with a random number of failures and attempts, a random base and cap
  // (the cap below the base in about a third of them) and a seeded spread of jitter half the
  // time, each against model_delays above: who was attempted when, what the jitter was asked,
  // and which answer came back. The seed is new each run and printed with a failure.
  auto const seed = wb::testing::TestSeed::pick();
  std::mt19937_64 random(seed.value);
  auto pick = [&](int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(random);
  };
  for (int round = 1; round <= 200; ++round) {
    int const failures = pick(0, 9);
    auto const attempts = static_cast<unsigned>(pick(1, 8));
    int const base_ms = pick(1, 3000);
    wb::Duration const base = std::chrono::milliseconds(base_ms);
    wb::Duration const cap =
        std::chrono::milliseconds(pick(0, 2) == 0 ? pick(1, base_ms) : base_ms + pick(0, 9000));
    bool const spread = pick(0, 1) == 1;
    auto const run = run_retry(failures, attempts, base, cap, spread, random());

    unsigned const made = std::min<unsigned>(attempts, static_cast<unsigned>(failures) + 1);
    auto const delays = model_delays(made, base, cap);
    std::ostringstream problem;
    if (run.asked != delays) {
      problem
          << "the jitter was asked about the delays " << list(run.asked)
          << ", and should have been asked about " << list(delays)
          << ": the first delay is the smaller of base and cap, each one after it twice the one "
             "before, and none is longer than cap";
    } else if (gaps(run.started_at) != run.slept) {
      problem << "the jitter gave the sleeps " << list(run.slept)
              << ", but the attempts started at " << list(run.started_at)
              << ": sleep what the jitter returns, between two attempts";
    } else if (run.started_at.size() != made) {
      problem << made << " attempt" << (made == 1 ? " was" : "s were") << " due and "
              << run.started_at.size() << " were made";
    } else if (failures < static_cast<int>(attempts)
                   ? !run.answer.has_value() ||
                         *run.answer != "answer from attempt " + std::to_string(made)
                   : run.answer.has_value() ||
                         run.answer.error() != "attempt " + std::to_string(made) + ": refused") {
      problem << "retry returned "
              << (run.answer.has_value() ? "\"" + *run.answer + "\""
                                         : "the error \"" + run.answer.error() + "\"")
              << "; it must return the first success, or the last attempt's error when every "
                 "attempt failed";
    } else if (!run.started_at.empty() && run.took != run.started_at.back()) {
      problem << "retry returned at " << wb::testing::duration_text(run.took)
              << ", after the last attempt (at "
              << wb::testing::duration_text(run.started_at.back())
              << ") had already answered: return that answer at once";
    }
    INFO("run " << round << " of 200: " << attempts << " attempt" << (attempts == 1 ? "" : "s")
                << " of an operation that fails "
                << (failures == 0 ? std::string("never") : "its first " + std::to_string(failures))
                << ", base " << wb::testing::duration_text(base) << ", cap "
                << wb::testing::duration_text(cap) << (spread ? ", with jitter" : ", no jitter")
                << ": " << problem.str() << " (" << seed.replay("ch13") << ")");
    REQUIRE(problem.str().empty());
  }
}
