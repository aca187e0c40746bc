// Combinators: join and join_all, select (fair and biased) and select_all, FuturesUnordered —
// their outputs, who gets polled when, when losers are dropped, and the oracles.
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <variant>
#include <vector>

#include "runtime_helpers.hpp"
#include "wb/combinator/futures_unordered.hpp"
#include "wb/combinator/join.hpp"
#include "wb/combinator/select.hpp"
#include "wb/core/ready.hpp"
#include "wb/core/yield_now.hpp"
#include "wb/exec/block_on.hpp"
#include "wb/exec/runtime.hpp"
#include "wb/oracle/oracles.hpp"
#include "wb/oracle/probe.hpp"
#include "wb/task/task.hpp"
#include "wb/testing/catch.hpp"
#include "wb/testing/specimens.hpp"
#include "wb/time/sleep.hpp"

using namespace std::chrono_literals;
using wb::testing::DropFlag;
using wb::testing::Gate;
using wb::testing::GateState;
using wb::testing::make_flag;
using wb::testing::SelfWaking;
using wb::testing::ThreadCompleted;

namespace {

template <class F>
wb::oracle::Probe<F> probe(F future, std::string name,
                           std::shared_ptr<wb::oracle::ProbeStats> const& stats) {
  return wb::oracle::Probe<F>(std::move(future), std::move(name), stats);
}

std::shared_ptr<wb::oracle::ProbeStats> stats() {
  return std::make_shared<wb::oracle::ProbeStats>();
}

// Pending until its gate opens; then Ready with `value`. `guard` reports when it is dropped.
wb::Task<int> after_gate(std::shared_ptr<GateState> gate, int value, DropFlag guard) {
  co_await Gate(std::move(gate));
  (void)guard;
  co_return value;
}

}  // namespace

TEST_CASE("join gives every output in argument order, a void one as monostate") {
  auto [a, b, c] =
      wb::block_on(wb::join(SelfWaking(3), wb::ready(std::string("x")), wb::yield_now()));
  CHECK(a == 3);
  CHECK(b == "x");
  CHECK(c == std::monostate{});
}

TEST_CASE("join never polls a finished child again and polls the rest on every poll") {
  auto fast = stats();
  auto slow = stats();
  auto out =
      wb::oracle::parking(wb::join(probe(SelfWaking(1), "the first future passed to join", fast),
                                   probe(SelfWaking(4), "the second future passed to join", slow)));
  CHECK(out.value == std::tuple<int, int>{1, 4});
  CHECK(fast->polls == 2);
  CHECK(slow->polls == 5);
  CHECK(fast->destroyed);  // dropped at the poll where it finished, not at the end
}

TEST_CASE("join passes every oracle with children woken from other threads") {
  auto make = [] { return wb::join(ThreadCompleted(1, 10ms), ThreadCompleted(2, 30ms)); };
  using Pair = std::tuple<int, int>;
  CHECK(wb::oracle::parking(make()).value == Pair{1, 2});
  CHECK(wb::oracle::spurious(make()).value == Pair{1, 2});
  CHECK(wb::oracle::waker_swap(make()).value == Pair{1, 2});
  CHECK(wb::oracle::threaded(make()).value == Pair{1, 2});
  CHECK(wb::oracle::after_ready(make()).value == Pair{1, 2});
  CHECK(wb::oracle::spin(make()).value == Pair{1, 2});
}

TEST_CASE("join_all gives a vector of outputs in the order of its futures") {
  std::vector<SelfWaking> futures;
  for (int steps : {3, 0, 5, 1}) futures.emplace_back(steps);
  CHECK(wb::oracle::waker_swap(wb::join_all(std::move(futures))).value ==
        std::vector<int>{3, 0, 5, 1});
}

TEST_CASE("select finishes with the first Ready child and drops the losers at once") {
  auto slow_gate = std::make_shared<GateState>();
  auto fast_gate = std::make_shared<GateState>();
  auto slow_dropped = make_flag();
  auto fast_dropped = make_flag();
  auto selected = wb::select(after_gate(slow_gate, 1, DropFlag(slow_dropped)),
                             after_gate(fast_gate, 2, DropFlag(fast_dropped)));
  wb::Context cx(wb::Waker::noop());
  CHECK(selected.poll(cx).is_pending());
  fast_gate->open_now();
  auto result = selected.poll(cx);
  REQUIRE(result.is_ready());
  CHECK(result.value().index() == 1);
  CHECK(std::get<1>(result.value()) == 2);
  CHECK(slow_dropped->load());  // the loser is gone before the select itself is
  CHECK_THROWS_AS(selected.poll(cx), wb::ContractViolation);
}

TEST_CASE("a biased select always polls in order and a fair one rotates") {
  int first_wins_biased = 0;
  int first_wins_fair = 0;
  for (int round = 0; round < 100; ++round) {
    if (wb::block_on(wb::select_biased(wb::ready(0), wb::ready(1))).index() == 0)
      ++first_wins_biased;
    if (wb::block_on(wb::select(wb::ready(0), wb::ready(1))).index() == 0) ++first_wins_fair;
  }
  CHECK(first_wins_biased == 100);
  CHECK(first_wins_fair == 50);
}

TEST_CASE("select polls every child until one is Ready") {
  auto first = stats();
  auto second = stats();
  auto out = wb::oracle::parking(
      wb::select_biased(probe(SelfWaking(5), "the first future passed to select", first),
                        probe(SelfWaking(2), "the second future passed to select", second)));
  CHECK(out.value.index() == 1);
  CHECK(second->polls == 3);
  CHECK(first->polls == 3);
  CHECK(first->destroyed);
}

TEST_CASE("select passes every oracle with a child woken from another thread") {
  auto make = [] { return wb::select(wb::sleep(1h), ThreadCompleted(2, 10ms)); };
  CHECK(wb::oracle::parking(make()).value.index() == 1);
  CHECK(wb::oracle::spurious(make()).value.index() == 1);
  CHECK(wb::oracle::waker_swap(make()).value.index() == 1);
  CHECK(wb::oracle::threaded(make()).value.index() == 1);
  CHECK(wb::oracle::after_ready(make()).value.index() == 1);
}

TEST_CASE("select_all gives the winner's index and output") {
  std::vector<SelfWaking> futures;
  for (int steps : {4, 2, 3}) futures.emplace_back(steps);
  auto [index, value] = wb::oracle::waker_swap(wb::select_all(std::move(futures))).value;
  CHECK(index == 1);
  CHECK(value == 2);
  std::vector<wb::ReadyFuture<int>> ties;
  for (int i = 0; i < 3; ++i) ties.push_back(wb::ready(i));
  CHECK(wb::block_on(wb::select_all(std::move(ties), wb::SelectOrder::biased)).first == 0);
}

TEST_CASE("FuturesUnordered gives outputs in the order its futures finish") {
  auto runtime = wb::Runtime::builder().virtual_time().build();
  auto order = runtime.block_on([]() -> wb::Task<std::vector<int>> {
    wb::FuturesUnordered<wb::Task<int>> set;
    for (int seconds : {3, 1, 2}) {
      set.push([](int seconds) -> wb::Task<int> {
        co_await wb::sleep(std::chrono::seconds(seconds));
        co_return seconds;
      }(seconds));
    }
    std::vector<int> order;
    while (auto value = co_await set.next()) order.push_back(*value);
    co_return order;
  }());
  CHECK(order == std::vector<int>{1, 2, 3});
}

TEST_CASE("FuturesUnordered polls only the children that were woken") {
  std::vector<std::shared_ptr<GateState>> gates;
  wb::FuturesUnordered<Gate> set;
  for (int i = 0; i < 100; ++i) {
    gates.push_back(std::make_shared<GateState>());
    set.push(Gate(gates.back()));
  }
  wb::Context cx(wb::Waker::noop());
  CHECK(set.poll_next(cx).is_pending());  // the first poll polls every child once
  for (auto& gate : gates) CHECK(gate->polls == 1);
  CHECK(set.poll_next(cx).is_pending());  // nobody woken: nobody polled
  for (auto& gate : gates) CHECK(gate->polls == 1);
  gates[37]->open_now();
  auto result = set.poll_next(cx);
  REQUIRE(result.is_ready());
  CHECK(result.value().has_value());
  for (std::size_t i = 0; i < gates.size(); ++i) CHECK(gates[i]->polls == (i == 37 ? 2u : 1u));
  CHECK(set.size() == 99);
}

TEST_CASE("FuturesUnordered gives each child one poll per call, so a busy child starves none") {
  wb::FuturesUnordered<wb::Task<int>> set;
  set.push([]() -> wb::Task<int> {
    for (;;) co_await wb::yield_now();  // never finishes
  }());
  set.push([]() -> wb::Task<int> {
    co_await wb::yield_now();
    co_return 7;
  }());
  auto first = wb::block_on(set.next());
  CHECK(first == std::optional<int>(7));
  CHECK(set.size() == 1);
}

TEST_CASE("FuturesUnordered is Ready with nothing once it is empty") {
  wb::FuturesUnordered<wb::ReadyFuture<int>> set;
  CHECK(wb::block_on(set.next()) == std::nullopt);
  set.push(wb::ready(1));
  CHECK(wb::block_on(set.next()) == std::optional<int>(1));
  CHECK(wb::block_on(set.next()) == std::nullopt);
}

TEST_CASE("FuturesUnordered drained by a task passes every oracle") {
  auto drain = []() -> wb::Task<int> {
    wb::FuturesUnordered<ThreadCompleted> set;
    for (int i = 1; i <= 4; ++i) set.push(ThreadCompleted(i, std::chrono::milliseconds(5 * i)));
    int sum = 0;
    while (auto value = co_await set.next()) sum += *value;
    co_return sum;
  };
  CHECK(wb::oracle::parking(drain()).value == 10);
  CHECK(wb::oracle::spurious(drain()).value == 10);
  CHECK(wb::oracle::waker_swap(drain()).value == 10);
  CHECK(wb::oracle::threaded(drain()).value == 10);
  CHECK(wb::oracle::after_ready(drain()).value == 10);
}

TEST_CASE("a child's waker may fire after its FuturesUnordered is gone") {
  auto gate = std::make_shared<GateState>();
  {
    wb::FuturesUnordered<Gate> set;
    set.push(Gate(gate));
    wb::Context cx(wb::Waker::noop());
    CHECK(set.poll_next(cx).is_pending());
  }
  std::thread([gate] { gate->open_now(); }).join();  // wakes a node the set no longer has
  CHECK(gate->open);
}

TEST_CASE("an exception from a child leaves FuturesUnordered and reaches the caller") {
  wb::FuturesUnordered<wb::Task<int>> set;
  set.push([]() -> wb::Task<int> {
    co_await wb::yield_now();
    throw std::runtime_error("child failed");
  }());
  set.push([]() -> wb::Task<int> { co_return 1; }());
  CHECK(wb::block_on(set.next()) == std::optional<int>(1));
  CHECK_THROWS_WITH(wb::block_on(set.next()), "child failed");
  CHECK(set.empty());
}
