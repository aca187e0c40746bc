// Tests for compute_stats: the guide's sensor readings, an empty stream, readings below zero, a
// long stream whose Readings are counted while they exist (a fold keeps a few, a collect keeps
// them all), readings with Pending gaps under every oracle, and numbers from a channel.
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <sensor.hpp>
#include <stats.hpp>
#include <string>
#include <vector>
#include <wb/exec/runtime.hpp>
#include <wb/oracle/oracles.hpp>
#include <wb/stream/iter.hpp>
#include <wb/stream/receiver_stream.hpp>
#include <wb/sync/mpsc.hpp>
#include <wb/task/spawn.hpp>
#include <wb/testing/catch.hpp>

namespace {

std::vector<double> const guide_readings{23.5, 24.1, 22.8, 25.0, 23.9};

/// Checks each field, saying which one is wrong and why it might be.
void check_stats(Stats const& got, std::size_t count, double min, double max, double mean) {
  {
    INFO("count is " << got.count << ", and the stream had " << count
                     << " readings: count every reading, the first one too");
    CHECK(got.count == count);
  }
  {
    INFO("min is " << got.min << " but the smallest reading was " << min
                   << (got.min == 0 && min > 0
                           ? ". A fold that starts from Stats{} starts with min = 0, which no "
                             "positive reading can beat: start min at +infinity "
                             "(std::numeric_limits<double>::infinity())"
                           : ""));
    CHECK(got.min == min);
  }
  {
    INFO("max is " << got.max << " but the largest reading was " << max
                   << (got.max == 0 && max < 0
                           ? ". Starting max at 0 makes 0 the largest of readings that are all "
                             "below zero: start max at -infinity"
                           : ""));
    CHECK(got.max == max);
  }
  INFO("the mean is " << got.mean() << " and should be " << mean);
  CHECK(std::abs(got.mean() - mean) < 1e-9);
}

}  // namespace

TEST_CASE("compute_stats of the guide's five readings gives a mean of 23.86") {
  auto outcome = wb::oracle::parking(compute_stats(wb::iter(guide_readings)));
  check_stats(outcome.value, 5, 22.8, 25.0, 23.86);
}

TEST_CASE("compute_stats of no readings has count 0 and the neutral min and max") {
  auto stats = wb::oracle::parking(compute_stats(wb::iter(std::vector<double>{}))).value;
  CHECK(stats.count == 0);
  CHECK(stats.mean() == 0.0);
  INFO("with no readings, min must be +infinity and max -infinity (got "
       << stats.min << " and " << stats.max
       << "): the start of a fold is its answer for an empty stream");
  CHECK(stats.min == std::numeric_limits<double>::infinity());
  CHECK(stats.max == -std::numeric_limits<double>::infinity());
}

TEST_CASE("compute_stats of readings below zero finds the largest of them") {
  auto stats =
      wb::oracle::parking(compute_stats(wb::iter(std::vector<double>{-5.5, -2.25, -7.0}))).value;
  check_stats(stats, 3, -7.0, -2.25, -14.75 / 3);
}

TEST_CASE("compute_stats keeps a few readings at a time and never collects them") {
  constexpr std::size_t count = 10'000;
  Sensor sensor(count, [](std::size_t i) { return static_cast<double>(i % 100); });
  auto census = sensor.census();
  // This sensor is never Pending, so the whole fold runs in one poll. What this test judges is
  // memory: the poll gets longer than usual before it counts as blocking (10,000 readings under
  // ThreadSanitizer on a busy machine can take over 250 ms, collected or not).
  wb::oracle::Options options;
  options.max_poll_time = std::chrono::milliseconds(2500);
  auto stats = wb::oracle::parking(compute_stats(std::move(sensor)), options).value;
  check_stats(stats, count, 0.0, 99.0, 49.5);
  INFO("compute_stats held " << census->peak.load()
                             << " readings at once: it collected the stream instead of folding "
                                "it. A fold keeps only its running Stats, and each reading is "
                                "dropped as soon as it has been counted in");
  CHECK(census->peak.load() <= 8);
  CHECK(census->alive.load() == 0);
}

TEST_CASE("compute_stats takes readings that arrive with Pending gaps under every oracle") {
  auto run = [](auto oracle) {
    auto outcome = oracle(compute_stats(Sensor(guide_readings, Sensor::Gap::wake_from_thread)));
    check_stats(outcome.value, 5, 22.8, 25.0, 23.86);
  };
  run([](auto f) { return wb::oracle::parking(std::move(f)); });
  run([](auto f) { return wb::oracle::spurious(std::move(f)); });
  run([](auto f) { return wb::oracle::waker_swap(std::move(f)); });
  run([](auto f) { return wb::oracle::threaded(std::move(f)); });
  run([](auto f) { return wb::oracle::after_ready(std::move(f)); });
  auto at_once =
      wb::oracle::parking(compute_stats(Sensor(guide_readings, Sensor::Gap::wake_at_once)));
  check_stats(at_once.value, 5, 22.8, 25.0, 23.86);
}

TEST_CASE("compute_stats reads numbers from a channel while the producer is still sending") {
  auto runtime = wb::Runtime::builder().worker_threads(2).build();
  auto stats = runtime.block_on([]() -> wb::Task<Stats> {
    auto [tx, rx] = wb::mpsc::channel<int>(4);  // small: the producer waits for the consumer
    wb::spawn([](wb::mpsc::Sender<int> tx) -> wb::Task<void> {
      for (int i = 1; i <= 100; ++i) (void)co_await tx.send(i);
    }(std::move(tx)))
        .detach();
    co_return co_await compute_stats(wb::receiver_stream(std::move(rx)));
  }());
  check_stats(stats, 100, 1.0, 100.0, 50.5);
}
