// Streams: the concept, the sources (iter, unfold, a channel receiver, an interval), the
// adaptors and the futures that consume a stream — their items, their ends, and the oracles.
#include "wb/stream/stream.hpp"

#include <chrono>
#include <deque>
#include <memory>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "wb/core/ready.hpp"
#include "wb/exec/block_on.hpp"
#include "wb/exec/runtime.hpp"
#include "wb/oracle/oracles.hpp"
#include "wb/oracle/virtual_time.hpp"
#include "wb/stream/buffer_unordered.hpp"
#include "wb/stream/buffered.hpp"
#include "wb/stream/chain.hpp"
#include "wb/stream/collect.hpp"
#include "wb/stream/filter.hpp"
#include "wb/stream/fold.hpp"
#include "wb/stream/for_each.hpp"
#include "wb/stream/interval_stream.hpp"
#include "wb/stream/iter.hpp"
#include "wb/stream/map.hpp"
#include "wb/stream/receiver_stream.hpp"
#include "wb/stream/skip.hpp"
#include "wb/stream/take.hpp"
#include "wb/stream/then.hpp"
#include "wb/stream/unfold.hpp"
#include "wb/stream/zip.hpp"
#include "wb/task/task.hpp"
#include "wb/testing/catch.hpp"
#include "wb/testing/ready_after.hpp"
#include "wb/time/sleep.hpp"

using namespace std::chrono_literals;

namespace {

/// A stream that is Pending before every item, woken at once: what a stream fed by I/O looks
/// like to its consumer. It counts its polls.
class Trickle {
 public:
  using Item = int;
  explicit Trickle(std::vector<int> items) : items_(std::move(items)) {}
  wb::Poll<std::optional<int>> poll_next(wb::Context& cx) {
    ++polls;
    if (next_ == items_.size()) return std::optional<int>();
    if (!waited_) {
      waited_ = true;
      cx.waker().wake_by_ref();
      return wb::pending;
    }
    waited_ = false;
    return std::optional<int>(items_[next_++]);
  }
  int polls = 0;

 private:
  std::vector<int> items_;
  std::size_t next_ = 0;
  bool waited_ = false;
};

static_assert(wb::Stream<Trickle>);
static_assert(wb::Stream<wb::Iter<std::vector<int>>>);
static_assert(!wb::Stream<wb::ReadyFuture<int>>);

wb::Task<std::vector<int>> drain(auto stream) {
  std::vector<int> items;
  while (auto item = co_await wb::next(stream)) items.push_back(*item);
  co_return items;
}

}  // namespace

TEST_CASE("next gives each item of a stream and then nullopt for good") {
  auto stream = wb::iter({1, 2});
  CHECK(wb::block_on(wb::next(stream)) == 1);
  CHECK(wb::block_on(wb::next(stream)) == 2);
  CHECK(wb::block_on(wb::next(stream)) == std::nullopt);
  CHECK(wb::block_on(wb::next(stream)) == std::nullopt);  // fused
}

TEST_CASE("iter moves the elements out of a container it owns and copies from a view") {
  std::vector<std::string> words{"a", "b"};
  auto copied = wb::iter(words);
  CHECK(wb::block_on(wb::collect(std::move(copied))) == words);
  // A view shows someone else's elements: they are copied, and the owner keeps them. (A span,
  // not a std::views adaptor: clang 14 cannot compile libstdc++ 12's views.)
  std::vector<std::string> shown{"c", "d"};
  auto viewed = wb::iter(std::span<std::string>(shown));
  CHECK(wb::block_on(wb::collect(std::move(viewed))) == std::vector<std::string>{"c", "d"});
  CHECK(shown == std::vector<std::string>{"c", "d"});
  std::vector<std::unique_ptr<int>> owned;
  owned.push_back(std::make_unique<int>(4));
  auto moved = wb::block_on(wb::collect(wb::iter(std::move(owned))));
  CHECK(*moved.at(0) == 4);
}

TEST_CASE("unfold makes a stream from a state and a step, plain or asynchronous") {
  auto countdown = wb::unfold(3, [](int n) -> std::optional<std::pair<int, int>> {
    if (n == 0) return std::nullopt;
    return std::pair{n, n - 1};
  });
  CHECK(wb::block_on(wb::collect(std::move(countdown))) == std::vector<int>{3, 2, 1});

  auto runtime = wb::Runtime::builder().virtual_time().build();
  auto paced = wb::unfold(0, [](int n) -> wb::Task<std::optional<std::pair<int, int>>> {
    co_await wb::sleep(1s);
    if (n == 3) co_return std::nullopt;
    co_return std::pair{n * 10, n + 1};
  });
  auto start = runtime.now();
  CHECK(runtime.block_on(wb::collect(std::move(paced))) == std::vector<int>{0, 10, 20});
  CHECK(runtime.now() - start == 4s);
}

TEST_CASE("map filter take skip and chain compose with the pipe") {
  std::vector<int> numbers(99);
  std::iota(numbers.begin(), numbers.end(), 1);
  auto stream = wb::iter(std::move(numbers)) | wb::filter([](int n) { return n % 2 == 0; }) |
                wb::map([](int n) { return n * n; }) | wb::skip(1) | wb::take(3) |
                wb::chain(wb::iter({-1}));
  CHECK(wb::block_on(wb::collect(std::move(stream))) == std::vector<int>{16, 36, 64, -1});
}

TEST_CASE("take stops polling its stream once it has its items") {
  int polled = 0;
  auto endless = wb::unfold(0, [&polled](int n) -> std::optional<std::pair<int, int>> {
    ++polled;
    return std::pair{n, n + 1};
  });
  CHECK(wb::block_on(wb::collect(std::move(endless) | wb::take(4))) ==
        std::vector<int>{0, 1, 2, 3});
  CHECK(polled == 4);
}

TEST_CASE("zip pairs items and ends with the shorter stream") {
  auto pairs = wb::zip(wb::iter({1, 2, 3}), Trickle({10, 20}));
  CHECK(wb::oracle::parking(wb::collect(std::move(pairs))).value ==
        std::vector<std::pair<int, int>>{{1, 10}, {2, 20}});
}

TEST_CASE("then awaits one future per item, in order") {
  auto runtime = wb::Runtime::builder().virtual_time().build();
  auto delays = wb::iter({3, 1, 2}) | wb::then([](int seconds) -> wb::Task<int> {
                  co_await wb::sleep(std::chrono::seconds(seconds));
                  co_return seconds;
                });
  auto start = runtime.now();
  CHECK(runtime.block_on(wb::collect(std::move(delays))) == std::vector<int>{3, 1, 2});
  CHECK(runtime.now() - start == 6s);  // one after the other
}

TEST_CASE("fold combines items as they come and for_each awaits what its function returns") {
  CHECK(wb::oracle::parking(wb::fold(Trickle({1, 2, 3, 4}), 0, [](int sum, int n) {
          return sum + n;
        })).value == 10);
  auto runtime = wb::Runtime::builder().virtual_time().build();
  std::vector<int> seen;
  auto start = runtime.now();
  runtime.block_on(wb::iter({1, 2}) | wb::for_each([&seen](int n) -> wb::Task<void> {
                     co_await wb::sleep(1s);
                     seen.push_back(n);
                   }));
  CHECK(seen == std::vector<int>{1, 2});
  CHECK(runtime.now() - start == 2s);
  std::vector<int> plain;
  wb::block_on(wb::iter({5, 6}) | wb::for_each([&plain](int n) { plain.push_back(n); }));
  CHECK(plain == std::vector<int>{5, 6});
}

TEST_CASE("collect gathers into any container") {
  auto items = wb::block_on(wb::iter({1, 2}) | wb::collect<std::deque<int>>());
  CHECK(items == std::deque<int>{1, 2});
}

TEST_CASE("buffer_unordered runs up to n futures at once and gives outputs as they finish") {
  auto runtime = wb::Runtime::builder().virtual_time().build();
  auto running = std::make_shared<int>(0);
  auto most = std::make_shared<int>(0);
  auto jobs = wb::iter({5, 1, 3, 2, 2}) | wb::map([running, most](int seconds) {
                return [](int seconds, std::shared_ptr<int> running,
                          std::shared_ptr<int> most) -> wb::Task<int> {
                  *most = std::max(*most, ++*running);
                  co_await wb::sleep(std::chrono::seconds(seconds));
                  --*running;
                  co_return seconds;
                }(seconds, running, most);
              });
  auto start = runtime.now();
  auto outputs = runtime.block_on(std::move(jobs) | wb::buffer_unordered(2) | wb::collect());
  // 5 and 1 start; 1 ends at 1 s and 3 starts; 3 ends at 4 s and 2 starts; 5 ends at 5 s ...
  CHECK(outputs == std::vector<int>{1, 3, 5, 2, 2});
  CHECK(*most == 2);
  CHECK(runtime.now() - start == 7s);
}

TEST_CASE("buffered runs up to n futures at once and gives outputs in the order they came") {
  auto runtime = wb::Runtime::builder().virtual_time().build();
  auto jobs = wb::iter({3, 1, 2}) | wb::map([](int seconds) {
                return [](int seconds) -> wb::Task<int> {
                  co_await wb::sleep(std::chrono::seconds(seconds));
                  co_return seconds;
                }(seconds);
              });
  auto start = runtime.now();
  auto outputs = runtime.block_on(std::move(jobs) | wb::buffered(3) | wb::collect());
  CHECK(outputs == std::vector<int>{3, 1, 2});
  CHECK(runtime.now() - start == 3s);  // all three at once
}

TEST_CASE("buffered and buffer_unordered pass the oracles with futures finished by threads") {
  // Delays far apart, so that a loaded machine cannot swap the order in which they finish.
  auto make = [] {
    return wb::iter({120, 10, 60}) | wb::map([](int ms) {
             return wb::testing::ReadyAfter<int>(ms, std::chrono::milliseconds(ms));
           });
  };
  CHECK(wb::oracle::parking(make() | wb::buffered(2) | wb::collect()).value ==
        std::vector<int>{120, 10, 60});
  CHECK(wb::oracle::waker_swap(make() | wb::buffered(3) | wb::collect()).value ==
        std::vector<int>{120, 10, 60});
  CHECK(wb::oracle::threaded(make() | wb::buffer_unordered(3) | wb::collect()).value ==
        std::vector<int>{10, 60, 120});
  CHECK(wb::oracle::spurious(make() | wb::buffer_unordered(1) | wb::collect()).value ==
        std::vector<int>{120, 10, 60});
}

TEST_CASE("a receiver stream ends when the channel closes and drains") {
  auto [tx, rx] = wb::mpsc::unbounded_channel<int>();
  REQUIRE(tx.send(1));
  REQUIRE(tx.send(2));
  { auto gone = std::move(tx); }
  CHECK(wb::block_on(wb::receiver_stream(std::move(rx)) | wb::collect()) == std::vector<int>{1, 2});
}

TEST_CASE("an interval stream ticks at its period on virtual time") {
  auto outcome = wb::oracle::virtual_time(wb::interval_stream(250ms) | wb::take(5) | wb::collect());
  REQUIRE(outcome.value.size() == 5);
  CHECK(outcome.value.back() - outcome.value.front() == 1s);
  CHECK(outcome.elapsed == 1s);
}

TEST_CASE("co_await next works inside a Task on a stream that is Pending between items") {
  CHECK(wb::oracle::waker_swap(drain(Trickle({4, 5, 6}))).value == std::vector<int>{4, 5, 6});
  CHECK(wb::oracle::spurious(drain(Trickle({4, 5, 6}))).value == std::vector<int>{4, 5, 6});
}
