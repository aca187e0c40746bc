// Task<T>: a lazy coroutine that is a wb::Future, co_await on any future, exceptions that reach
// the awaiter, constant stack for long loops, cancellation by drop, and the oracles.
#include "wb/task/task.hpp"

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "runtime_helpers.hpp"
#include "wb/combinator/join.hpp"
#include "wb/core/poll_fn.hpp"
#include "wb/core/ready.hpp"
#include "wb/core/yield_now.hpp"
#include "wb/exec/block_on.hpp"
#include "wb/exec/block_on_spin.hpp"
#include "wb/exec/runtime.hpp"
#include "wb/oracle/oracles.hpp"
#include "wb/oracle/probe.hpp"
#include "wb/task/spawn.hpp"
#include "wb/testing/catch.hpp"
#include "wb/testing/specimens.hpp"
#include "wb/time/sleep.hpp"

using namespace std::chrono_literals;
using wb::testing::DropFlag;
using wb::testing::make_flag;

static_assert(wb::Future<wb::Task<int>>);
static_assert(wb::Future<wb::Task<void>>);
static_assert(wb::Future<wb::Task<std::unique_ptr<int>>>);

namespace {

wb::Task<int> answer() { co_return 42; }

wb::Task<int> add_after_waits(int a, int b) {
  co_await wb::yield_now();
  int x = co_await wb::ready(a);
  co_await wb::yield_now();
  co_return x + b;
}

wb::Task<int> throws_at_once() {
  throw std::runtime_error("at once");
  co_return 0;
}

wb::Task<int> throws_after_a_wait() {
  co_await wb::yield_now();
  throw std::runtime_error("after a wait");
  co_return 0;
}

// Pending once (waking itself), then throws from its second poll: that poll comes from outside
// the awaiting coroutine's body, and the exception must still land at its co_await.
struct ThrowsOnSecondPoll {
  using Output = int;
  int polls = 0;
  wb::Poll<int> poll(wb::Context& cx) {
    if (polls++ == 0) {
      cx.waker().wake_by_ref();
      return wb::pending;
    }
    throw std::logic_error("second poll");
  }
};

}  // namespace

TEST_CASE("a Task does nothing until it is first polled") {
  auto started = make_flag();
  auto task = [](std::shared_ptr<std::atomic<bool>> started) -> wb::Task<void> {
    started->store(true);
    co_return;
  }(started);
  CHECK_FALSE(started->load());
  wb::block_on(std::move(task));
  CHECK(started->load());
}

TEST_CASE("a Task is a future that any executor can run") {
  CHECK(wb::block_on(answer()) == 42);
  CHECK(wb::block_on_spin(add_after_waits(1, 2)) == 3);
  CHECK(wb::block_on(add_after_waits(3, 4)) == 7);
  auto runtime = wb::Runtime::builder().build();
  CHECK(runtime.block_on(add_after_waits(5, 6)) == 11);
  wb::block_on([]() -> wb::Task<void> { co_return; }());
  auto owned = wb::block_on(
      []() -> wb::Task<std::unique_ptr<int>> { co_return std::make_unique<int>(9); }());
  CHECK(*owned == 9);
}

TEST_CASE("co_await works on any wb::Future") {
  auto runtime = wb::Runtime::builder().virtual_time().build();
  auto everything = []() -> wb::Task<std::string> {
    std::string out;
    out += std::to_string(co_await wb::ready(1));
    co_await wb::yield_now();
    out += std::to_string(co_await wb::poll_fn([n = 0](wb::Context& cx) mutable -> wb::Poll<int> {
      if (n++ < 2) {
        cx.waker().wake_by_ref();
        return wb::pending;
      }
      return 2;
    }));
    co_await wb::sleep(1s);
    out += std::to_string(co_await answer());
    out += std::to_string(co_await wb::spawn(add_after_waits(1, 2)));
    auto [a, b] = co_await wb::join(add_after_waits(2, 2), answer());
    out += std::to_string(a) + std::to_string(b);
    auto lvalue = add_after_waits(3, 3);
    out += std::to_string(co_await lvalue);  // awaited in place
    co_return out;
  };
  CHECK(runtime.block_on(everything()) == "124234426");
}

TEST_CASE("an exception thrown in a Task reaches the co_await that awaits it") {
  auto catcher = []() -> wb::Task<std::string> {
    std::string caught;
    try {
      co_await throws_at_once();
    } catch (std::runtime_error const& e) {
      caught += e.what();
    }
    caught += " / ";
    try {
      co_await throws_after_a_wait();
    } catch (std::runtime_error const& e) {
      caught += e.what();
    }
    caught += " / ";
    try {
      co_await ThrowsOnSecondPoll{};
    } catch (std::logic_error const& e) {
      caught += e.what();
    }
    co_return caught;
  };
  CHECK(wb::block_on(catcher()) == "at once / after a wait / second poll");
  CHECK_THROWS_WITH(wb::block_on(throws_after_a_wait()), "after a wait");
}

TEST_CASE("a million co_awaits that are Ready at once run in constant stack") {
  // 256 KiB of stack: a million nested frames would need hundreds of megabytes.
  wb::testing::run_on_small_stack(256 * 1024, [] {
    auto loop = []() -> wb::Task<long> {
      long sum = 0;
      for (int i = 0; i < 1'000'000; ++i) sum += co_await wb::ready(1);
      for (int i = 0; i < 1'000'000; ++i) sum += co_await answer();
      co_return sum;
    };
    CHECK(wb::block_on(loop()) == 1'000'000L + 42'000'000L);
  });
}

TEST_CASE("a Task awaiting a Task awaiting a Task resumes without recursion on each wake") {
  wb::testing::run_on_small_stack(256 * 1024, [] {
    auto chain = []() -> wb::Task<int> {
      int total = 0;
      for (int i = 0; i < 100'000; ++i) total += co_await add_after_waits(0, 1);
      co_return total;
    };
    CHECK(wb::block_on(chain()) == 100'000);
  });
}

TEST_CASE("destroying a suspended Task destroys the futures it was awaiting") {
  auto dropped = make_flag();
  auto done = make_flag();
  {
    auto task = [](DropFlag guard, std::shared_ptr<std::atomic<bool>> done) -> wb::Task<void> {
      auto gate = std::make_shared<wb::testing::GateState>();
      co_await wb::testing::Gate(gate);  // never opened
      done->store(true);
      (void)guard;
    }(DropFlag(dropped), done);
    wb::Context cx(wb::Waker::noop());
    CHECK(task.poll(cx).is_pending());
    CHECK_FALSE(dropped->load());
  }
  CHECK(dropped->load());
  CHECK_FALSE(done->load());
}

TEST_CASE("a Task may move after its first poll: its frame stays where it is") {
  auto task = std::make_unique<wb::Task<int>>(add_after_waits(20, 2));
  wb::Context cx(wb::Waker::noop());
  CHECK(task->poll(cx).is_pending());
  auto moved = std::make_unique<wb::Task<int>>(std::move(*task));
  CHECK(moved->poll(cx).is_pending());
  CHECK(moved->poll(cx).value() == 22);
}

TEST_CASE("polling a Task after it returned Ready is a contract violation") {
  auto task = answer();
  wb::Context cx(wb::Waker::noop());
  CHECK(task.poll(cx).value() == 42);
  CHECK_THROWS_WITH(task.poll(cx), Catch::Matchers::ContainsSubstring("after it returned Ready"));
}

TEST_CASE("a Task passes every oracle and hands its Context to what it awaits") {
  auto waits_on_a_thread = []() -> wb::Task<int> {
    int a = co_await wb::testing::ThreadCompleted(3, 10ms);
    int b = co_await wb::testing::SelfWaking(2);
    co_return a + b;
  };
  wb::oracle::Options options;
  options.expected_polls = 4;  // first poll, the thread's wake, then SelfWaking's two wakes
  CHECK(wb::oracle::parking(waits_on_a_thread(), options).value == 5);
  CHECK(wb::oracle::spurious(waits_on_a_thread(), options).value == 5);
  CHECK(wb::oracle::waker_swap(waits_on_a_thread(), options).value == 5);
  CHECK(wb::oracle::threaded(waits_on_a_thread(), options).value == 5);
  CHECK(wb::oracle::after_ready(waits_on_a_thread(), options).value == 5);
  CHECK(wb::oracle::spin(waits_on_a_thread()).value == 5);
}

TEST_CASE("a Task never polls the future it awaits after that future was Ready") {
  auto stats = std::make_shared<wb::oracle::ProbeStats>();
  auto task = [](std::shared_ptr<wb::oracle::ProbeStats> stats) -> wb::Task<int> {
    co_return co_await wb::oracle::Probe(wb::testing::SelfWaking(3), "the awaited future", stats);
  }(stats);
  CHECK(wb::oracle::parking(std::move(task)).value == 3);
  CHECK(stats->polls == 4);
  CHECK(stats->destroyed);
}
