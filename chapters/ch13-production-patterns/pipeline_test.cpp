// Tests for run_pipeline, on virtual time: a producer of work items, each with a kilobyte of
// payload counted by a census, and a consumer that takes 10 ms (or 1 ms) per item. The census
// says how many items were in memory at once — in the producer's hands, in the channel, in a
// send waiting for room, in the consumer — which is what backpressure is there to bound.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <pipeline.hpp>
#include <sstream>
#include <string>
#include <vector>
#include <wb/exec/runtime.hpp>
#include <wb/testing/catch.hpp>
#include <wb/testing/heap_in_use.hpp>
#include <wb/time/sleep.hpp>
#include <wb/time/timeout.hpp>
#include <wb/time/timer_driver.hpp>
#include <work_item.hpp>

using namespace std::chrono_literals;

namespace {

wb::Instant now() { return wb::TimerDriver::current().now(); }

/// Makes item i with a payload counted in the census.
struct Maker {
  std::shared_ptr<Census> census;
  WorkItem operator()(std::size_t i) const { return make_work_item(i, census); }
};

/// The ids the consumer saw, in order, and the most heap in use when it took an item.
struct Consumed {
  std::mutex mutex;
  std::vector<std::size_t> ids;
  std::size_t peak_heap = 0;
};

wb::Task<void> consume_one(std::shared_ptr<Consumed> consumed, WorkItem item, wb::Duration time) {
  {
    std::lock_guard lock(consumed->mutex);
    consumed->ids.push_back(item.id);
    consumed->peak_heap = std::max(consumed->peak_heap, wb::testing::heap_in_use());
  }
  co_await wb::sleep(time);  // the payload stays in memory while the item is worked on
}

/// A consumer that takes `time` per item.
struct SlowConsumer {
  std::shared_ptr<Consumed> consumed;
  wb::Duration time;
  wb::Task<void> operator()(WorkItem item) const {
    return consume_one(consumed, std::move(item), time);
  }
};

struct PipelineRun {
  std::optional<std::size_t> consumed;  // what run_pipeline returned; empty if it never did
  wb::Duration took{};
  std::vector<std::size_t> ids;
  int peak = 0;
  int alive_after = 0;
  int made = 0;
  std::size_t heap_before = 0;  // bytes on the heap just before run_pipeline was called
  std::size_t peak_heap = 0;    // the most seen when the consumer took an item
};

constexpr auto hang_guard = 60s;  // beyond the time the consumer needs

wb::Task<void> drive(std::size_t count, std::size_t capacity, wb::Duration per_item,
                     std::shared_ptr<Census> census, std::shared_ptr<Consumed> consumed,
                     std::shared_ptr<PipelineRun> run) {
  auto const start = now();
  Maker const maker{census};  // named: GCC 12 destroys a braced temporary in a co_await twice
  SlowConsumer const consumer{consumed, per_item};
  run->heap_before = wb::testing::heap_in_use();
  auto result = co_await wb::timeout(per_item * static_cast<int>(count) + hang_guard,
                                     run_pipeline(count, capacity, maker, consumer));
  if (result) {
    run->consumed = *result;
    run->took = now() - start;
  }
}

PipelineRun run_pipeline_of(std::size_t count, std::size_t capacity, wb::Duration per_item,
                            std::size_t worker_threads = 0) {
  auto census = std::make_shared<Census>();
  auto consumed = std::make_shared<Consumed>();
  consumed->ids.reserve(count);  // its growth is the test's, not the pipeline's
  auto run = std::make_shared<PipelineRun>();
  {
    auto builder = wb::Runtime::builder().virtual_time();
    if (worker_threads > 0) builder.worker_threads(worker_threads);
    auto runtime = builder.build();
    runtime.block_on(drive(count, capacity, per_item, census, consumed, run));
  }
  run->ids = consumed->ids;
  run->peak = census->peak.load();
  run->alive_after = census->alive.load();
  run->made = census->made.load();
  run->peak_heap = consumed->peak_heap;
  return *run;
}

std::string millis(wb::Duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

// ANCHOR: explain_peak
/// What the most items in memory at once says about a pipeline with a channel of `capacity`.
std::string explain_peak(int peak, std::size_t capacity, std::size_t count) {
  int const bound = static_cast<int>(capacity) + 2;
  std::string const seen = std::to_string(peak) + " of the " + std::to_string(count) +
                           " items were in memory at once with a channel of " +
                           std::to_string(capacity);
  if (peak > bound) {
    return seen + " (at most " + std::to_string(bound) + ": " + std::to_string(capacity) +
           " in the channel, one in a send that waits for room, one in the consumer's hands). "
           "The producer was not held back. This usually means one of: an unbounded channel; "
           "items made or collected before they are sent; a task spawned per item, so the "
           "consumer takes items faster than it finishes them. co_await every send: that "
           "parks the producer while the channel is full";
  }
  if (peak < static_cast<int>(capacity)) {
    return seen + ": with a consumer this slow, the channel should fill up to its capacity";
  }
  return seen;
}
// ANCHOR_END: explain_peak

std::string first_ids(std::vector<std::size_t> const& ids) {
  std::string out;
  for (std::size_t i = 0; i < ids.size() && i < 12; ++i) out += std::to_string(ids[i]) + " ";
  return ids.size() > 12 ? out + "..." : out;
}

}  // namespace

TEST_CASE("every item reaches the consumer once and in order") {
  auto run = run_pipeline_of(100, 8, 10ms);
  REQUIRE(run.consumed.has_value());
  std::vector<std::size_t> expected;
  for (std::size_t i = 0; i < 100; ++i) expected.push_back(i);
  INFO("the consumer saw " << run.ids.size() << " items, starting " << first_ids(run.ids)
                           << "; it must see items 0 to 99, each once, in order");
  CHECK(run.ids == expected);
  CHECK(*run.consumed == 100);
}

TEST_CASE("the producer never runs more than the channel's capacity ahead of a slow consumer") {
  auto run = run_pipeline_of(1000, 8, 10ms);
  REQUIRE(run.consumed.has_value());
  INFO(explain_peak(run.peak, 8, 1000));
  CHECK(run.peak <= 10);
  CHECK(run.peak >= 8);
  INFO(run.alive_after << " items were still in memory after run_pipeline returned");
  CHECK(run.alive_after == 0);
}

TEST_CASE("the memory the pipeline holds stays bounded whatever holds it") {
  // What backpressure bounds is memory, not one type's instances: a vector of pending sends or
  // a coroutine frame per item holds memory while the census of items stays small. So this
  // measures the heap itself, each time the consumer takes an item, against what the channel
  // may hold: its capacity of items of a kilobyte, one in a waiting send, one being consumed,
  // and a fixed allowance for the channel, the tasks and the runtime.
  constexpr std::size_t count = 400;
  constexpr std::size_t capacity = 8;
  auto run = run_pipeline_of(count, capacity, 1ms);
  REQUIRE(run.consumed.has_value());
  std::size_t const grew = run.peak_heap > run.heap_before ? run.peak_heap - run.heap_before : 0;
  std::size_t const per_item = 1024 + 256;  // the payload and what carries it
  std::size_t const allowance = 24 * 1024;
  std::size_t const bound = (capacity + 2) * per_item + allowance;
  INFO("with a channel of " << capacity << " and " << count << " items, the heap grew by "
                            << grew / 1024 << " KiB while the pipeline ran (at most "
                            << bound / 1024 << " KiB: " << capacity + 2 << " items of about "
                            << per_item << " bytes and " << allowance / 1024
                            << " KiB for the channel, the tasks and the runtime). "
                            << explain_peak(run.peak, capacity, count)
                            << ". Something other than items grew with the number of items: "
                               "this usually means sends, tasks or coroutine frames made for "
                               "every item up front (a vector of pending sends, a task spawned "
                               "per item that waits for its turn) instead of one send awaited "
                               "at a time");
  CHECK(grew <= bound);
}

TEST_CASE("a slow consumer sets the pace and the pipeline ends with its last item") {
  auto run = run_pipeline_of(100, 8, 10ms);
  REQUIRE(run.consumed.has_value());
  INFO("100 items at 10 ms each took "
       << millis(run.took)
       << " of virtual time: the consumer works on one item at a time, so it takes 1000 ms, and "
          "run_pipeline returns when the last one is done. "
       << explain_peak(run.peak, 8, 100));
  CHECK(run.took == 1s);
}

TEST_CASE("a producer that finds the channel full waits instead of dropping items") {
  auto run = run_pipeline_of(50, 2, 10ms);
  REQUIRE(run.consumed.has_value());
  INFO("the consumer got " << run.ids.size() << " of the 50 items that were made ("
                           << first_ids(run.ids)
                           << "): the others were dropped. When the channel is full, the "
                              "producer must wait for room — co_await tx.send(item) — not "
                              "throw the item away (try_send refuses at once when full)");
  CHECK(run.ids.size() == 50);
  CHECK(*run.consumed == 50);
}

TEST_CASE("the producer and the consumer run at the same time") {
  auto run = run_pipeline_of(20, 4, 10ms);
  INFO((run.consumed
            ? std::string("the pipeline finished")
            : "after " + millis(20 * 10ms + hang_guard) +
                  " of virtual time run_pipeline had not returned: " + std::to_string(run.made) +
                  " items made, " + std::to_string(run.ids.size()) +
                  " consumed. With a channel of 4, a producer that runs to the end "
                  "before anyone consumes waits for room forever. Spawn the producer, "
                  "then consume while it runs"));
  REQUIRE(run.consumed.has_value());
  CHECK(run.ids.size() == 20);
}

TEST_CASE("the pipeline keeps its bound on two worker threads") {
  auto run = run_pipeline_of(200, 4, 1ms, 2);
  REQUIRE(run.consumed.has_value());
  INFO("on two worker threads: " << explain_peak(run.peak, 4, 200));
  CHECK(run.peak <= 6);
  CHECK(*run.consumed == 200);
  CHECK(run.alive_after == 0);
}
