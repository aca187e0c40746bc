// Tests for squares_of_evens, on virtual time. The test's processing step notes every value it
// is called with, how many of its futures exist at once (from the call that makes one to the end
// of that future) and how many run at once (from their first poll to their end); each takes
// 50 ms of virtual time and answers the value it was given.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <stream_pipeline.hpp>
#include <string>
#include <vector>
#include <wb/exec/runtime.hpp>
#include <wb/testing/catch.hpp>
#include <wb/time/sleep.hpp>
#include <wb/time/timeout.hpp>
#include <wb/time/timer_driver.hpp>

using namespace std::chrono_literals;

namespace {

wb::Instant now() { return wb::TimerDriver::current().now(); }

// ANCHOR: process_log
/// What the processing step saw; every field is guarded by `mutex`.
struct ProcessLog {
  std::mutex mutex;
  std::vector<std::uint64_t> received;  // the values process() was called with, in order
  int alive = 0;                        // processing futures made and not yet destroyed
  int most_alive = 0;
  int running = 0;  // processing futures between their first poll and their end
  int most_running = 0;
};

/// Counts one processing future as alive from the call that makes it until it is destroyed:
/// it is a parameter, so it lives in the coroutine frame from the call on.
class Alive {
 public:
  explicit Alive(std::shared_ptr<ProcessLog> log) : log_(std::move(log)) {
    std::lock_guard lock(log_->mutex);
    log_->most_alive = std::max(log_->most_alive, ++log_->alive);
  }
  Alive(Alive&& other) noexcept : log_(std::move(other.log_)) {}
  Alive& operator=(Alive&&) = delete;
  ~Alive() {
    if (!log_) return;
    std::lock_guard lock(log_->mutex);
    --log_->alive;
  }

 private:
  std::shared_ptr<ProcessLog> log_;
};

wb::Task<std::uint64_t> process_one(std::shared_ptr<ProcessLog> log, Alive alive,
                                    std::uint64_t value) {
  (void)alive;
  {
    std::lock_guard lock(log->mutex);
    log->most_running = std::max(log->most_running, ++log->running);
  }
  co_await wb::sleep(50ms);
  std::lock_guard lock(log->mutex);
  --log->running;
  co_return value;
}

struct Process {
  std::shared_ptr<ProcessLog> log;
  wb::Task<std::uint64_t> operator()(std::uint64_t value) const {
    {
      std::lock_guard lock(log->mutex);
      log->received.push_back(value);
    }
    return process_one(log, Alive(log), value);
  }
};
// ANCHOR_END: process_log

struct PipelineRun {
  std::optional<std::vector<std::uint64_t>> output;  // empty: the pipeline never finished
  wb::Duration took{};
  std::vector<std::uint64_t> received;
  int most_alive = 0;
  int most_running = 0;
  int alive_after = 0;
};

constexpr auto hang_guard = 60s;  // far beyond the 2.5 s of the slowest wrong version

wb::Task<void> drive(std::shared_ptr<ProcessLog> log, std::shared_ptr<PipelineRun> run) {
  auto const start = now();
  Process const process{log};  // named: GCC 12 destroys a braced temporary in a co_await twice
  auto pipeline = squares_of_evens(process);
  auto output = co_await wb::timeout(hang_guard, std::move(pipeline));
  if (output) {
    run->output = std::move(*output);
    run->took = now() - start;
  }
}

PipelineRun run_squares(std::size_t worker_threads = 0) {
  auto log = std::make_shared<ProcessLog>();
  auto run = std::make_shared<PipelineRun>();
  {
    auto builder = wb::Runtime::builder().virtual_time();
    if (worker_threads > 0) builder.worker_threads(worker_threads);
    auto runtime = builder.build();
    runtime.block_on(drive(log, run));
  }
  std::lock_guard lock(log->mutex);
  run->received = log->received;
  run->most_alive = log->most_alive;
  run->most_running = log->most_running;
  run->alive_after = log->alive;
  return *run;
}

std::string millis(wb::Duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

/// 4, 16, 36, ..., 10000: the squares of the even numbers from 2 to 100.
std::vector<std::uint64_t> expected_squares() {
  std::vector<std::uint64_t> squares;
  for (std::uint64_t n = 2; n <= 100; n += 2) squares.push_back(n * n);
  return squares;
}

/// The first values of a list, "1, 4, 9, ... (100 in all)".
std::string some_of(std::vector<std::uint64_t> const& values) {
  if (values.empty()) return "nothing";
  std::string text;
  for (std::size_t i = 0; i < values.size() && i < 8; ++i) {
    text += (i == 0 ? "" : ", ") + std::to_string(values[i]);
  }
  if (values.size() > 8) text += ", ... (" + std::to_string(values.size()) + " in all)";
  return text;
}

/// The whole-number square root of `value` if it has one.
std::optional<std::uint64_t> root_of(std::uint64_t value) {
  std::uint64_t root = 0;
  while ((root + 1) * (root + 1) <= value) ++root;
  if (root * root != value) return std::nullopt;
  return root;
}

// ANCHOR: compare_items
/// How `seen` differs from the squares of the even numbers 2 to 100, each once: what is
/// missing and what should not be there, and what that usually means. Empty when it does not.
std::string compare_with_squares(std::vector<std::uint64_t> seen, std::string const& where) {
  auto expected = expected_squares();
  std::sort(seen.begin(), seen.end());
  if (seen == expected) return "";
  std::vector<std::uint64_t> missing;
  std::vector<std::uint64_t> extra;
  std::set_difference(expected.begin(), expected.end(), seen.begin(), seen.end(),
                      std::back_inserter(missing));
  std::set_difference(seen.begin(), seen.end(), expected.begin(), expected.end(),
                      std::back_inserter(extra));
  std::string text = where + " " + std::to_string(seen.size()) + " items summing to " +
                     std::to_string(std::accumulate(seen.begin(), seen.end(), std::uint64_t{0})) +
                     "; it should be the 50 squares 4, 16, 36, ..., 10000 of the even numbers "
                     "2 to 100, each once, summing to 171700.";
  if (!missing.empty()) text += " Missing: " + some_of(missing) + ".";
  if (!extra.empty()) text += " Not expected: " + some_of(extra) + ".";
  bool odd_squares = false;
  bool not_squares = false;
  for (auto value : extra) {
    auto root = root_of(value);
    if (!root) not_squares = true;
    if (root && *root % 2 == 1) odd_squares = true;
  }
  if (missing.size() == 1 && missing.front() == 10000 && extra.empty()) {
    text +=
        " 10000 is 100 squared: the numbers run from 1 to 100, both included (a vector of "
        "last_number values starting at 1)";
  } else if (odd_squares) {
    text +=
        " Those include the squares of odd numbers: keep the even numbers (n % 2 == 0) "
        "before the processing step, not after it";
  } else if (not_squares) {
    text +=
        " Some of those are not squares: square each number (map) before the processing "
        "step";
  } else if (extra.empty() && missing.empty()) {
    text += " Some items came more than once";
  }
  return text;
}
// ANCHOR_END: compare_items

std::uint64_t sum_of(std::vector<std::uint64_t> const& values) {
  return std::accumulate(values.begin(), values.end(), std::uint64_t{0});
}

}  // namespace

TEST_CASE("the pipeline gives the 50 squares of the even numbers summing to 171700") {
  auto run = run_squares();
  REQUIRE(run.output.has_value());
  auto const problem = compare_with_squares(*run.output, "the pipeline gave");
  INFO(problem);
  CHECK(problem.empty());
}

TEST_CASE("fifty items ten at a time take 250 ms of virtual time") {
  auto run = run_squares();
  REQUIRE(run.output.has_value());
  if (run.most_running == 1) {
    INFO("the pipeline took "
         << millis(run.took)
         << ": the items were processed one at a time. Map each square to its processing "
            "future (wb::map(process)) and let wb::buffer_unordered(most_in_flight) run ten of "
            "them at once; wb::then, or a loop that awaits each, runs one at a time");
    CHECK(run.took == 250ms);
  } else {
    std::string const calls =
        run.received.size() == 50
            ? std::string()
            : " The processing step was called " + std::to_string(run.received.size()) +
                  " times, not 50: only the squares of the even numbers should reach it.";
    INFO("the pipeline took "
         << millis(run.took) << ", at most " << run.most_running
         << " in flight: with 10 in flight, 50 items of 50 ms each take 5 rounds, 250 ms." << calls
         << " Pass most_in_flight (10) to wb::buffer_unordered, and let the processing step be "
            "the only thing that takes time");
    CHECK(run.took == 250ms);
  }
}

TEST_CASE("never more than ten processing futures exist at once and ten run together") {
  auto run = run_squares();
  REQUIRE(run.output.has_value());
  {
    INFO(run.most_alive
         << " processing futures existed at once (each made by a call of process() and not "
            "yet finished); at most 10 should. buffer_unordered(10) pulls the next future from "
            "its stream only when one of its ten finishes, so a pipeline that maps process "
            "just before it never holds more. This usually means the futures were made up "
            "front: collected into a vector, or all made in a loop, before they ran");
    CHECK(run.most_alive <= 10);
  }
  {
    INFO("at most " << run.most_running
                    << " processing future(s) ran at once; with 50 items waiting, 10 should");
    CHECK(run.most_running == 10);
  }
  INFO(run.alive_after << " processing futures still existed after the pipeline returned");
  CHECK(run.alive_after == 0);
}

TEST_CASE("each square of an even number reaches the processing step once and nothing else does") {
  auto run = run_squares();
  REQUIRE(run.output.has_value());
  auto const problem = compare_with_squares(run.received, "the processing step was called with");
  INFO(problem << (problem.empty() ? "" : ". It was called with " + some_of(run.received)));
  CHECK(problem.empty());
}

TEST_CASE("the pipeline gives the same answer on a runtime with worker threads") {
  auto run = run_squares(2);
  REQUIRE(run.output.has_value());
  INFO("on two worker threads the pipeline took "
       << millis(run.took) << " and gave " << run.output->size() << " items summing to "
       << sum_of(*run.output) << "; expected 250 ms, 50 items, 171700");
  CHECK(run.took == 250ms);
  CHECK(sum_of(*run.output) == 171700);
  CHECK(run.most_alive <= 10);
}
