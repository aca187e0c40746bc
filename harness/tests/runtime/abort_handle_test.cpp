// JoinHandle abort against detach, and the AbortHandle that can still cancel a task once its
// JoinHandle has gone into a timeout.
#include "wb/task/abort_handle.hpp"

#include <atomic>
#include <chrono>
#include <memory>

#include "runtime_helpers.hpp"
#include "wb/exec/runtime.hpp"
#include "wb/task/join_handle.hpp"
#include "wb/task/spawn.hpp"
#include "wb/task/task.hpp"
#include "wb/testing/catch.hpp"
#include "wb/time/sleep.hpp"
#include "wb/time/timeout.hpp"

using namespace std::chrono_literals;
using wb::testing::DropFlag;
using wb::testing::make_flag;

namespace {

/// Counts up once a second, forever; `dropped` is set when its frame is destroyed.
wb::Task<void> ticker(std::shared_ptr<std::atomic<int>> ticks, DropFlag dropped) {
  (void)dropped;
  for (;;) {
    co_await wb::sleep(1s);
    ++*ticks;
  }
}

}  // namespace

// ANCHOR: detach_demo
TEST_CASE("dropping a JoinHandle detaches its task, which keeps running") {
  auto runtime = wb::Runtime::builder().virtual_time().build();
  auto ticks = std::make_shared<std::atomic<int>>(0);
  auto dropped = make_flag();
  runtime.block_on([](auto ticks, auto dropped) -> wb::Task<void> {
    { auto handle = wb::spawn(ticker(ticks, DropFlag(dropped))); }  // dropped: detached
    co_await wb::sleep(10500ms);
  }(ticks, dropped));
  CHECK(ticks->load() == 10);
  CHECK_FALSE(dropped->load());
}
// ANCHOR_END: detach_demo

// ANCHOR: abort_demo
TEST_CASE("abort cancels a task: its future is dropped and it runs no further") {
  auto runtime = wb::Runtime::builder().virtual_time().build();
  auto ticks = std::make_shared<std::atomic<int>>(0);
  auto dropped = make_flag();
  runtime.block_on([](auto ticks, auto dropped) -> wb::Task<void> {
    auto handle = wb::spawn(ticker(ticks, DropFlag(dropped)));
    co_await wb::sleep(2500ms);
    handle.abort();
    bool aborted = false;
    try {
      co_await handle;
    } catch (wb::TaskAborted const&) {
      aborted = true;
    }
    CHECK(aborted);
    co_await wb::sleep(10s);
  }(ticks, dropped));
  CHECK(ticks->load() == 2);
  CHECK(dropped->load());
}
// ANCHOR_END: abort_demo

TEST_CASE("an abort handle cancels a task whose JoinHandle went into a timeout") {
  auto runtime = wb::Runtime::builder().virtual_time().build();
  auto ticks = std::make_shared<std::atomic<int>>(0);
  auto dropped = make_flag();
  bool elapsed = runtime.block_on([](auto ticks, auto dropped) -> wb::Task<bool> {
    auto handle = wb::spawn(ticker(ticks, DropFlag(dropped)));
    wb::AbortHandle abort = handle.abort_handle();
    auto result = co_await wb::timeout(3500ms, std::move(handle));  // the handle is gone now
    CHECK_FALSE(abort.is_finished());
    abort.abort();
    co_await wb::sleep(10s);
    CHECK(abort.is_finished());
    co_return !result.has_value();
  }(ticks, dropped));
  CHECK(elapsed);
  CHECK(ticks->load() == 3);
  CHECK(dropped->load());
}

TEST_CASE("aborting through an abort handle after the task finished does nothing") {
  auto runtime = wb::Runtime::builder().build();
  int value = runtime.block_on([]() -> wb::Task<int> {
    auto handle = wb::spawn([]() -> wb::Task<int> { co_return 5; }());
    auto abort = handle.abort_handle();
    int value = co_await handle;
    abort.abort();
    CHECK(abort.is_finished());
    co_return value;
  }());
  CHECK(value == 5);
}
