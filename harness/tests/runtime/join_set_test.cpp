// JoinSet: spawn many, take results as they finish, abort everything on destruction.
#include "wb/task/join_set.hpp"

#include <atomic>
#include <memory>
#include <stdexcept>
#include <vector>

#include "runtime_helpers.hpp"
#include "wb/core/yield_now.hpp"
#include "wb/exec/runtime.hpp"
#include "wb/task/task.hpp"
#include "wb/testing/catch.hpp"
#include "wb/time/sleep.hpp"

using namespace std::chrono_literals;
using wb::testing::DropFlag;
using wb::testing::make_flag;

namespace {

wb::Task<int> after_seconds(int seconds) {
  co_await wb::sleep(std::chrono::seconds(seconds));
  co_return seconds;
}

wb::Task<void> wait_forever(DropFlag guard) {
  co_await wb::sleep(24h);
  (void)guard;
}

}  // namespace

TEST_CASE("a JoinSet gives results in the order its tasks finish") {
  for (std::size_t workers : {0u, 2u}) {
    auto runtime = wb::Runtime::builder().worker_threads(workers).virtual_time().build();
    auto order = runtime.block_on([]() -> wb::Task<std::vector<int>> {
      wb::JoinSet<int> set;
      for (int seconds : {5, 1, 3, 2, 4}) set.spawn(after_seconds(seconds));
      CHECK(set.size() == 5);
      std::vector<int> order;
      while (auto value = co_await set.join_next()) order.push_back(*value);
      co_return order;
    }());
    CHECK(order == std::vector<int>{1, 2, 3, 4, 5});
  }
}

TEST_CASE("destroying a JoinSet aborts the tasks still in it") {
  auto runtime = wb::Runtime::builder().virtual_time().build();
  std::vector<std::shared_ptr<std::atomic<bool>>> dropped;
  for (int i = 0; i < 3; ++i) dropped.push_back(make_flag());
  runtime.block_on([](auto dropped) -> wb::Task<void> {
    wb::JoinSet<void> set;
    for (auto& flag : dropped) set.spawn(wait_forever(DropFlag(flag)));
    co_await wb::sleep(1s);
  }(dropped));
  runtime.block_on(wb::yield_now());  // the executor cancels the aborted tasks
  for (auto& flag : dropped) CHECK(flag->load());
  CHECK(runtime.timer_driver().pending_timers() == 0);
}

TEST_CASE("join_next rethrows a task's exception and the set goes on") {
  auto runtime = wb::Runtime::builder().virtual_time().build();
  auto [sum, failures] = runtime.block_on([]() -> wb::Task<std::pair<int, int>> {
    wb::JoinSet<int> set;
    set.spawn(after_seconds(1));
    set.spawn([]() -> wb::Task<int> {
      co_await wb::sleep(2s);
      throw std::runtime_error("task two failed");
    }());
    set.spawn(after_seconds(3));
    int sum = 0;
    int failures = 0;
    while (!set.empty()) {
      try {
        if (auto value = co_await set.join_next()) sum += *value;
      } catch (std::runtime_error const&) {
        ++failures;
      }
    }
    co_return std::pair{sum, failures};
  }());
  CHECK(sum == 4);
  CHECK(failures == 1);
}

TEST_CASE("abort_all makes join_next throw TaskAborted for each task") {
  auto runtime = wb::Runtime::builder().virtual_time().build();
  int aborted = runtime.block_on([]() -> wb::Task<int> {
    wb::JoinSet<int> set;
    for (int i = 1; i <= 3; ++i) set.spawn(after_seconds(i * 100));
    set.abort_all();
    int aborted = 0;
    while (!set.empty()) {
      try {
        co_await set.join_next();
      } catch (wb::TaskAborted const&) {
        ++aborted;
      }
    }
    co_return aborted;
  }());
  CHECK(aborted == 3);
  CHECK(runtime.now() < wb::Instant{} + 1s);
}
