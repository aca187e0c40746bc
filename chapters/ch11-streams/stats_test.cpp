// Tests for compute_stats: the guide's sensor readings, an empty stream, readings below zero, a
// long stream whose Readings are counted while they exist (a fold keeps a few, a collect keeps
// them all), readings with Pending gaps under every oracle, and numbers from a channel.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <random>
#include <sensor.hpp>
#include <sstream>
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
#include <wb/testing/heap_in_use.hpp>
#include <wb/testing/test_seed.hpp>

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

/// The readings as the learner would write them down: "[3, -1.5, 0]".
std::string show(std::vector<double> const& values) {
  std::ostringstream text;
  text << "[";
  for (std::size_t i = 0; i < values.size(); ++i) text << (i == 0 ? "" : ", ") << values[i];
  text << "]";
  return text.str();
}

/// Readings of a kind that tell mistakes apart: rising, falling, all equal, one alone, all
/// below zero, mixed signs, with repeats; 0 to 12 of them.
std::vector<double> random_readings(std::mt19937_64& random) {
  std::size_t const count = std::uniform_int_distribution<std::size_t>(0, 12)(random);
  int const shape = std::uniform_int_distribution<int>(0, 4)(random);
  std::uniform_int_distribution<int> quarter_degrees(-400, 400);
  std::vector<double> values;
  for (std::size_t i = 0; i < count; ++i) {
    double value = quarter_degrees(random) / 4.0;
    if (shape == 1) value = -std::abs(value) - 0.25;  // all below zero
    if (shape == 2 && i > 0) value = values[0];       // all equal
    values.push_back(value);
  }
  if (shape == 3) std::sort(values.begin(), values.end());    // rising
  if (shape == 4) std::sort(values.rbegin(), values.rend());  // falling
  return values;
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

TEST_CASE("compute_stats of random readings with Pending gaps matches a plain loop") {
  // Differential: 300 streams of readings shaped to tell mistakes apart (rising, falling, all
  // equal, one alone, none, all below zero), each read with or without a Pending gap before
  // every reading, against a plain loop over the same numbers. The seed is new each run and
  // printed with a failure, so the same readings can be run again.
  auto const seed = wb::testing::TestSeed::pick();
  std::mt19937_64 random(seed.value);
  for (int round = 1; round <= 300; ++round) {
    auto const values = random_readings(random);
    auto const gap =
        std::bernoulli_distribution(0.5)(random) ? Sensor::Gap::wake_at_once : Sensor::Gap::none;
    Stats expected{0, std::numeric_limits<double>::infinity(),
                   -std::numeric_limits<double>::infinity(), 0.0};
    for (double value : values) {
      ++expected.count;
      expected.min = std::min(expected.min, value);
      expected.max = std::max(expected.max, value);
      expected.sum += value;
    }
    auto const got = wb::oracle::parking(compute_stats(Sensor(values, gap))).value;
    bool const same =
        got.count == expected.count && got.min == expected.min && got.max == expected.max &&
        std::abs(got.mean() - expected.mean()) <= 1e-9 * (1 + std::abs(expected.mean()));
    if (!same) {
      FAIL("random readings " << round << " of 300: " << show(values)
                              << (gap == Sensor::Gap::none ? "" : " with a Pending gap before each")
                              << " gave count " << got.count << ", min " << got.min << ", max "
                              << got.max << ", mean " << got.mean() << "; they have count "
                              << expected.count << ", min " << expected.min << ", max "
                              << expected.max << ", mean " << expected.mean()
                              << ". Every reading is counted and compared with both the smallest "
                                 "and the largest so far: one reading can be both (the first, or "
                                 "the only one). This usually means one of: min and max updated "
                                 "with if / else if (a reading that is a new min is never "
                                 "checked against max), a start other than +infinity and "
                                 "-infinity, or a reading skipped ("
                              << seed.replay("ch11") << ")");
    }
  }
}

TEST_CASE("compute_stats holds no more memory as the stream gets longer") {
  // Measured as heap memory, not as Readings alive: turning each reading into a double and
  // keeping the doubles collects the stream all the same.
  constexpr std::size_t count = 20'000;
  auto const heap_before = std::make_shared<std::size_t>(0);
  auto const heap_peak = std::make_shared<std::size_t>(0);
  Sensor sensor(count, [heap_before, heap_peak](std::size_t i) {
    std::size_t const now = wb::testing::heap_in_use();
    if (now > *heap_before) *heap_peak = std::max(*heap_peak, now - *heap_before);
    return static_cast<double>(i % 100);
  });
  *heap_before = wb::testing::heap_in_use();
  // One poll folds the whole stream (the sensor is never Pending); what is judged here is
  // memory, so that poll may take longer than usual before it counts as blocking.
  wb::oracle::Options options;
  options.max_poll_time = std::chrono::milliseconds(2500);
  auto stats = wb::oracle::parking(compute_stats(std::move(sensor)), options).value;
  check_stats(stats, count, 0.0, 99.0, 49.5);
  constexpr std::size_t allowance = 16 * 1024;
  INFO("while it read " << count << " readings, compute_stats held up to " << *heap_peak
                        << " bytes more on the heap than before it started (allowed: " << allowance
                        << "; " << count << " doubles are " << count * sizeof(double)
                        << "). A fold keeps only its running Stats: memory must not grow with "
                           "the stream. This usually means the readings (or the numbers in "
                           "them) are kept somewhere — a vector, a collect, a list of values "
                           "to compute from at the end");
  CHECK(*heap_peak <= allowance);
}
