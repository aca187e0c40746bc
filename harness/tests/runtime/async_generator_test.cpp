// wb::AsyncGenerator: a stream written as a coroutine — items in order, awaits between them,
// laziness, the end and fusing, cancellation by destruction, an exception ending the stream,
// errors as the last item, composition with the adaptors, and the oracles.
#include "wb/stream/async_generator.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "wb/core/expected.hpp"
#include "wb/exec/block_on.hpp"
#include "wb/exec/runtime.hpp"
#include "wb/oracle/oracles.hpp"
#include "wb/oracle/virtual_time.hpp"
#include "wb/stream/buffer_unordered.hpp"
#include "wb/stream/collect.hpp"
#include "wb/stream/filter.hpp"
#include "wb/stream/map.hpp"
#include "wb/stream/stream.hpp"
#include "wb/stream/take.hpp"
#include "wb/task/task.hpp"
#include "wb/testing/catch.hpp"
#include "wb/testing/ready_after.hpp"
#include "wb/time/sleep.hpp"

using namespace std::chrono_literals;

static_assert(wb::Stream<wb::AsyncGenerator<int>>);

namespace {

// ANCHOR: ticks
/// n items, one every `period`: a sleep between two yields.
wb::AsyncGenerator<int> ticks(int n, wb::Duration period) {
  for (int i = 0; i < n; ++i) {
    co_await wb::sleep(period);
    co_yield i;
  }
}
// ANCHOR_END: ticks

wb::AsyncGenerator<int> counting(int n, std::shared_ptr<std::vector<std::string>> log) {
  log->push_back("started");
  for (int i = 0; i < n; ++i) {
    log->push_back("yield " + std::to_string(i));
    co_yield i;
  }
  log->push_back("ended");
}

/// Records its destruction: a local of the generator's body.
struct Witness {
  std::shared_ptr<std::vector<std::string>> log;
  ~Witness() { log->push_back("destroyed"); }
};

wb::AsyncGenerator<int> with_witness(std::shared_ptr<std::vector<std::string>> log) {
  Witness witness{log};
  co_yield 1;
  co_await wb::sleep(1h);  // the test drops the generator here
  co_yield 2;
}

wb::AsyncGenerator<int> throws_after(int n) {
  for (int i = 0; i < n; ++i) co_yield i;
  throw std::runtime_error("the source broke");
}

// ANCHOR: try_lines
/// Lines of a document, each an Expected: an error is the last item, and then the stream ends.
wb::AsyncGenerator<wb::Expected<std::string, std::string>> lines_until_error(
    std::vector<std::string> lines) {
  for (auto& line : lines) {
    if (line.empty()) {
      co_yield wb::unexpected(std::string("an empty line"));
      co_return;
    }
    co_yield std::move(line);
  }
}
// ANCHOR_END: try_lines

/// Items that each come from a future finished on another thread.
wb::AsyncGenerator<int> from_threads(std::vector<int> delays_ms) {
  for (int ms : delays_ms) {
    wb::testing::ReadyAfter<int> item(ms, std::chrono::milliseconds(ms));
    co_yield co_await item;
  }
}

}  // namespace

TEST_CASE("a generator gives its items in order, waits between them, and ends for good") {
  auto outcome = wb::oracle::virtual_time(ticks(4, 250ms) | wb::collect());
  CHECK(outcome.value == std::vector<int>{0, 1, 2, 3});
  CHECK(outcome.elapsed == 1s);

  auto stream = ticks(1, 1ms);
  CHECK(wb::block_on(wb::next(stream)) == std::optional<int>(0));
  CHECK(wb::block_on(wb::next(stream)) == std::nullopt);
  CHECK(wb::block_on(wb::next(stream)) == std::nullopt);  // fused
}

TEST_CASE("a generator is lazy and runs its body one item at a time") {
  auto log = std::make_shared<std::vector<std::string>>();
  auto stream = counting(2, log);
  CHECK(log->empty());  // nothing ran yet
  CHECK(wb::block_on(wb::next(stream)) == std::optional<int>(0));
  CHECK(*log == std::vector<std::string>{"started", "yield 0"});
  CHECK(wb::block_on(wb::next(stream)) == std::optional<int>(1));
  CHECK(wb::block_on(wb::next(stream)) == std::nullopt);
  CHECK(log->back() == "ended");
}

TEST_CASE("destroying a generator before its end cancels the body and destroys its locals") {
  auto log = std::make_shared<std::vector<std::string>>();
  {
    auto stream = with_witness(log);
    CHECK(wb::block_on(wb::next(stream)) == std::optional<int>(1));
    auto waker = wb::Waker::noop();
    wb::Context cx(waker);
    CHECK(stream.poll_next(cx).is_pending());  // now asleep for an hour
    CHECK(log->empty());
    auto moved = std::move(stream);  // the frame is on the heap: moving is allowed
  }
  CHECK(*log == std::vector<std::string>{"destroyed"});
}

TEST_CASE("an exception thrown in a generator reaches the consumer once and ends the stream") {
  auto stream = throws_after(2);
  CHECK(wb::block_on(wb::next(stream)) == std::optional<int>(0));
  CHECK(wb::block_on(wb::next(stream)) == std::optional<int>(1));
  CHECK_THROWS_WITH(wb::block_on(wb::next(stream)), "the source broke");
  CHECK(wb::block_on(wb::next(stream)) == std::nullopt);
}

TEST_CASE("a generator of Expected items yields its error last, as try_stream does") {
  std::vector<std::string> text{"first", "second", "", "never read"};
  auto items = wb::block_on(lines_until_error(text) | wb::collect());
  REQUIRE(items.size() == 3);
  CHECK(items[0].value() == "first");
  CHECK(items[1].value() == "second");
  CHECK(items[2].error() == "an empty line");
}

TEST_CASE("a generator composes with the adaptors and feeds buffer_unordered") {
  auto runtime = wb::Runtime::builder().virtual_time().build();
  auto start = runtime.now();
  auto doubled_evens =
      runtime.block_on(ticks(10, 10ms) | wb::filter([](int n) { return n % 2 == 0; }) |
                       wb::map([](int n) { return n * 2; }) | wb::take(3) | wb::collect());
  CHECK(doubled_evens == std::vector<int>{0, 4, 8});
  CHECK(runtime.now() - start == 50ms);  // items 0..4 were made; take stopped after the third

  auto jobs = ticks(3, 1ms) | wb::map([](int n) {
                return [](int n) -> wb::Task<int> {
                  co_await wb::sleep(std::chrono::milliseconds(100 - 40 * n));
                  co_return n;
                }(n);
              });
  CHECK(runtime.block_on(std::move(jobs) | wb::buffer_unordered(3) | wb::collect()) ==
        std::vector<int>{2, 1, 0});
}

TEST_CASE("a generator passes the oracles with items that come from other threads") {
  // Delays far apart, so that a loaded machine cannot change what is observed.
  std::vector<int> delays{30, 5, 15};
  CHECK(wb::oracle::parking(from_threads(delays) | wb::collect()).value == delays);
  CHECK(wb::oracle::spurious(from_threads(delays) | wb::collect()).value == delays);
  CHECK(wb::oracle::waker_swap(from_threads(delays) | wb::collect()).value == delays);
  CHECK(wb::oracle::threaded(from_threads(delays) | wb::collect()).value == delays);
  CHECK(wb::oracle::after_ready(from_threads(delays) | wb::collect()).value == delays);
}
