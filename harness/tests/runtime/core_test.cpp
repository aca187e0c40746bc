// The core runtime: Poll, Waker, Context, poll_fn, yield_now, ready, and the address check.
#include <any>
#include <atomic>
#include <memory>
#include <string>
#include <type_traits>

#include "wb/core/address_check.hpp"
#include "wb/core/expected.hpp"
#include "wb/core/future.hpp"
#include "wb/core/poll_fn.hpp"
#include "wb/core/ready.hpp"
#include "wb/core/yield_now.hpp"
#include "wb/testing/catch.hpp"

namespace {

struct CountingTarget {
  std::atomic<int> wakes{0};
  void wake() { ++wakes; }
};

}  // namespace

static_assert(wb::Future<wb::YieldNow>);
static_assert(wb::Future<wb::ReadyFuture<int>>);
static_assert(wb::Future<wb::ReadyFuture<void>>);
static_assert(!wb::Future<int>);

TEST_CASE("a Poll is Ready with its value or Pending with none") {
  wb::Poll<std::string> ready = std::string("done");
  wb::Poll<std::string> not_yet = wb::pending;
  CHECK(ready.is_ready());
  CHECK(ready.value() == "done");
  CHECK(not_yet.is_pending());
  CHECK_THROWS_AS(not_yet.value(), std::logic_error);
  CHECK(wb::Poll<void>::ready().is_ready());
  CHECK(wb::Poll<void>(wb::pending).is_pending());
}

TEST_CASE("a waker from a shared_ptr wakes its target and keeps it alive") {
  auto target = std::make_shared<CountingTarget>();
  std::weak_ptr<CountingTarget> watch = target;
  {
    wb::Waker waker = wb::waker_from(std::move(target));
    waker.wake();  // by reference
    waker.wake_by_ref();
    wb::Waker clone = waker;
    std::move(clone).wake();  // consuming
    CHECK(watch.lock()->wakes == 3);
    CHECK_FALSE(watch.expired());
  }
  CHECK(watch.expired());  // the last handle released the target
}

TEST_CASE("clones of a waker will_wake each other, other wakers do not") {
  auto target = std::make_shared<CountingTarget>();
  wb::Waker a = wb::waker_from(target);
  wb::Waker b = a;
  wb::Waker c = wb::waker_from(target);
  CHECK(a.will_wake(b));
  CHECK_FALSE(a.will_wake(c));
  CHECK_FALSE(a.will_wake(wb::Waker::noop()));
  CHECK(wb::Waker::noop().will_wake(wb::Waker::noop()));
}

TEST_CASE("a moved-from waker is safe to destroy and to wake") {
  auto target = std::make_shared<CountingTarget>();
  wb::Waker a = wb::waker_from(target);
  wb::Waker b = std::move(a);
  a.wake_by_ref();  // NOLINT: a moved-from waker does nothing
  b.wake_by_ref();
  CHECK(target->wakes == 1);
}

TEST_CASE("poll_fn turns a function into a future with the right Output") {
  int calls = 0;
  auto future = wb::poll_fn([&](wb::Context&) -> wb::Poll<int> {
    return ++calls < 3 ? wb::Poll<int>(wb::pending) : wb::Poll<int>(calls);
  });
  static_assert(std::is_same_v<decltype(future)::Output, int>);
  wb::Context cx(wb::Waker::noop());
  CHECK(future.poll(cx).is_pending());
  CHECK(future.poll(cx).is_pending());
  CHECK(future.poll(cx).value() == 3);
}

TEST_CASE("yield_now is Pending once, waking itself, then Ready") {
  auto target = std::make_shared<CountingTarget>();
  wb::Waker waker = wb::waker_from(target);
  wb::Context cx(waker);
  auto yield = wb::yield_now();
  CHECK(yield.poll(cx).is_pending());
  CHECK(target->wakes == 1);
  CHECK(yield.poll(cx).is_ready());
  CHECK(target->wakes == 1);
}

TEST_CASE("ready is Ready at the first poll and refuses a second") {
  wb::Context cx(wb::Waker::noop());
  auto value = wb::ready(std::string("now"));
  CHECK(value.poll(cx).value() == "now");
  CHECK_THROWS_AS(value.poll(cx), wb::ContractViolation);
  auto nothing = wb::ready();
  CHECK(nothing.poll(cx).is_ready());
}

#ifndef NDEBUG
TEST_CASE("debug builds catch a future moved after its first poll") {
  auto make = [] { return wb::poll_fn([](wb::Context&) -> wb::Poll<int> { return wb::pending; }); };
  auto first = std::make_unique<decltype(make())>(make());
  wb::Context cx(wb::Waker::noop());
  CHECK(first->poll(cx).is_pending());
  CHECK(first->poll(cx).is_pending());  // same place: fine
  auto moved = std::make_unique<decltype(make())>(std::move(*first));
  CHECK_THROWS_WITH(moved->poll(cx),
                    Catch::Matchers::ContainsSubstring("moved after its first poll"));
}
#endif

TEST_CASE("WB_TODO throws NotStarted naming the file and line") {
  auto todo = []() -> int { WB_TODO("write me"); };
  try {
    todo();
    FAIL("WB_TODO did not throw");
  } catch (wb::NotStarted const& e) {
    CHECK(std::string(e.what()) == "write me");
    CHECK(std::string(e.file()).find("core_test.cpp") != std::string::npos);
    CHECK(e.line() > 0);
  }
}

TEST_CASE("copying an Expected<bool> that holds an error copies the error, not a false value") {
  wb::Expected<bool, std::string> failed = wb::unexpected(std::string("closed"));
  wb::Expected<bool, std::string> copy(failed);  // a non-const lvalue, as watch's has_changed()
  REQUIRE_FALSE(copy.has_value());
  CHECK(copy.error() == "closed");
  wb::Expected<bool, std::string> moved(std::move(failed));
  CHECK_FALSE(moved.has_value());
}

TEST_CASE("an Expected<bool> is not made from another Expected through its operator bool") {
  CHECK_FALSE(std::is_constructible_v<wb::Expected<bool, int>, wb::Expected<int, int>&>);
  CHECK(std::is_constructible_v<wb::Expected<bool, int>, bool>);
}

TEST_CASE("copying a Poll or an Expected of std::any copies the value inside") {
  wb::Poll<std::any> poll = std::any(5);
  wb::Poll<std::any> poll_copy(poll);
  CHECK(std::any_cast<int>(poll_copy.value()) == 5);
  wb::Expected<std::any, int> expected = std::any(6);
  wb::Expected<std::any, int> expected_copy(expected);
  CHECK(std::any_cast<int>(expected_copy.value()) == 6);
}
