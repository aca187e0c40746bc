// Executors: the single-threaded LocalExecutor and the ThreadPoolExecutor, spawn and JoinHandle
// (await, abort, detach), the guide's distinction between dropping a handle and dropping a
// future, shutdown, and the runtime builder.
#include <algorithm>
#include <atomic>
#include <latch>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "runtime_helpers.hpp"
#include "wb/combinator/join.hpp"
#include "wb/core/poll_fn.hpp"
#include "wb/core/ready.hpp"
#include "wb/core/yield_now.hpp"
#include "wb/exec/block_on.hpp"
#include "wb/exec/local_executor.hpp"
#include "wb/exec/run_queue.hpp"
#include "wb/exec/runtime.hpp"
#include "wb/exec/thread_pool_executor.hpp"
#include "wb/oracle/oracles.hpp"
#include "wb/task/spawn.hpp"
#include "wb/task/task.hpp"
#include "wb/testing/catch.hpp"
#include "wb/testing/specimens.hpp"
#include "wb/time/sleep.hpp"

using namespace std::chrono_literals;
using wb::testing::DropFlag;
using wb::testing::make_flag;
using Flag = std::shared_ptr<std::atomic<bool>>;

namespace {

wb::Runtime virtual_runtime() { return wb::Runtime::builder().virtual_time().build(); }

wb::Task<void> record_turns(int id, int turns, std::shared_ptr<std::vector<int>> log) {
  for (int turn = 0; turn < turns; ++turn) {
    log->push_back(id);
    co_await wb::yield_now();
  }
}

// Sets `done` after `delay`; `guard` reports when the task's future is dropped.
wb::Task<void> set_after(wb::Duration delay, Flag done, DropFlag guard) {
  co_await wb::sleep(delay);
  done->store(true);
  (void)guard;
}

wb::Task<int> doubled_later(int value) {
  co_await wb::sleep(10ms);
  co_return value * 2;
}

}  // namespace

TEST_CASE("a local executor runs its tasks in the order they were woken") {
  wb::LocalExecutor executor;
  auto log = std::make_shared<std::vector<int>>();
  auto a = executor.spawn_local(record_turns(0, 3, log));
  auto b = executor.spawn_local(record_turns(1, 3, log));
  auto c = executor.spawn_local(record_turns(2, 3, log));
  executor.block_on(wb::join(std::move(a), std::move(b), std::move(c)));
  CHECK(*log == std::vector<int>{0, 1, 2, 0, 1, 2, 0, 1, 2});
  CHECK(executor.live_tasks() == 0);
}

TEST_CASE("a JoinHandle is a future of its task's output") {
  auto runtime = virtual_runtime();
  int result = runtime.block_on([]() -> wb::Task<int> {
    auto handle = wb::spawn(doubled_later(21));
    co_return co_await handle;
  }());
  CHECK(result == 42);
}

TEST_CASE("a task's exception reaches whoever awaits its JoinHandle") {
  auto runtime = virtual_runtime();
  auto failing = []() -> wb::Task<int> {
    co_await wb::sleep(1s);
    throw std::runtime_error("disk on fire");
  };
  auto handle = runtime.spawn(failing());
  CHECK_THROWS_WITH(runtime.block_on(std::move(handle)), "disk on fire");
}

TEST_CASE("abort cancels a task: its future is dropped and awaiting it throws TaskAborted") {
  auto runtime = virtual_runtime();
  auto done = make_flag();
  auto dropped = make_flag();
  auto start = runtime.now();
  auto handle = runtime.spawn(set_after(1h, done, DropFlag(dropped)));
  runtime.block_on(wb::sleep(1s));  // the task is now waiting on its timer
  CHECK_FALSE(dropped->load());
  handle.abort();
  CHECK_THROWS_AS(runtime.block_on(std::move(handle)), wb::TaskAborted);
  CHECK(dropped->load());
  CHECK_FALSE(done->load());
  CHECK(runtime.now() == start + 1s);  // the task's hour never passed
  CHECK(runtime.timer_driver().pending_timers() == 0);
}

TEST_CASE("a task that finished before abort keeps its output") {
  auto runtime = virtual_runtime();
  auto handle = runtime.spawn(wb::ready(5));
  runtime.block_on(wb::yield_now());
  CHECK(handle.is_finished());
  handle.abort();
  CHECK(runtime.block_on(std::move(handle)) == 5);
}

TEST_CASE("dropping a JoinHandle detaches the task, which runs on to the end") {
  auto runtime = virtual_runtime();
  auto done = make_flag();
  auto dropped = make_flag();
  { auto handle = runtime.spawn(set_after(1s, done, DropFlag(dropped))); }  // handle dropped here
  runtime.block_on(wb::sleep(2s));
  CHECK(done->load());
  CHECK(dropped->load());  // finished, so its future is gone too
  CHECK(runtime.timer_driver().pending_timers() == 0);
}

TEST_CASE("dropping a future cancels it: nothing it would have done happens") {
  auto runtime = virtual_runtime();
  auto done = make_flag();
  auto dropped = make_flag();
  {
    auto future = set_after(1s, done, DropFlag(dropped));
    wb::TimerDriver::Enter in(runtime.timer_driver());
    wb::Context cx(wb::Waker::noop());
    CHECK(future.poll(cx).is_pending());  // started: its timer is queued
    CHECK(runtime.timer_driver().pending_timers() == 1);
  }  // future dropped here
  CHECK(dropped->load());
  CHECK(runtime.timer_driver().pending_timers() == 0);
  runtime.block_on(wb::sleep(2s));
  CHECK_FALSE(done->load());
}

TEST_CASE("an executor that shuts down cancels the tasks still alive") {
  auto dropped = make_flag();
  auto done = make_flag();
  std::optional<wb::JoinHandle<void>> handle;
  {
    auto runtime = virtual_runtime();
    handle = runtime.spawn(set_after(1h, done, DropFlag(dropped)));
    runtime.block_on(wb::sleep(1s));
    CHECK_FALSE(dropped->load());
  }
  CHECK(dropped->load());
  CHECK_FALSE(done->load());
  CHECK(handle->is_finished());
  CHECK_THROWS_AS(wb::block_on(std::move(*handle)), wb::TaskAborted);
}

TEST_CASE("spawning on an executor that has shut down gives an aborted task") {
  std::shared_ptr<wb::Scheduler> scheduler;
  {
    wb::LocalExecutor executor;
    scheduler = executor.scheduler().shared_from_this();
  }
  auto dropped = make_flag();
  auto handle = wb::spawn_on(*scheduler, set_after(1s, make_flag(), DropFlag(dropped)));
  CHECK(dropped->load());
  CHECK_THROWS_AS(wb::block_on(std::move(handle)), wb::TaskAborted);
}

TEST_CASE("a task woken from another thread runs on the executor's thread") {
  wb::LocalExecutor executor;
  auto woken_on = std::make_shared<std::thread::id>();
  auto handle = executor.spawn_local([](auto woken_on) -> wb::Task<int> {
    int value = co_await wb::testing::ThreadCompleted(8, 20ms);
    *woken_on = std::this_thread::get_id();
    co_return value;
  }(woken_on));
  CHECK(executor.block_on(std::move(handle)) == 8);
  CHECK(*woken_on == std::this_thread::get_id());
}

TEST_CASE("the local executor sleeps while its tasks wait instead of spinning") {
  wb::LocalExecutor executor;
  auto handle = executor.spawn_local(wb::testing::ThreadCompleted(1, 100ms));
  timespec before{}, after{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &before);
  wb::testing::Stopwatch wall;
  CHECK(executor.block_on(std::move(handle)) == 1);
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &after);
  auto cpu = std::chrono::seconds(after.tv_sec - before.tv_sec) +
             std::chrono::nanoseconds(after.tv_nsec - before.tv_nsec);
  CHECK(wall.elapsed() >= 100ms);
  CHECK(cpu < wall.elapsed() / 4);
}

TEST_CASE("a task that keeps waking itself starves neither block_on's future nor the timers") {
  wb::LocalExecutor executor;  // real time: the busy task keeps the executor from idling
  auto stop = make_flag();
  auto busy = executor.spawn_local([](Flag stop) -> wb::Task<void> {
    while (!stop->load()) co_await wb::yield_now();
  }(stop));
  wb::testing::Stopwatch wall;
  executor.block_on(wb::sleep(20ms));
  CHECK(wall.elapsed() >= 20ms);
  stop->store(true);
  executor.block_on(std::move(busy));
}

TEST_CASE("wb::spawn outside a runtime is refused with advice") {
  CHECK_THROWS_WITH(wb::spawn(wb::ready(1)),
                    Catch::Matchers::ContainsSubstring("outside a runtime"));
}

TEST_CASE("block_on inside a task is refused instead of stalling the runtime") {
  auto runtime = virtual_runtime();
  auto nested = [](wb::Runtime* runtime) -> wb::Task<void> {
    runtime->block_on(wb::yield_now());
    co_return;
  };
  CHECK_THROWS_WITH(runtime.block_on(nested(&runtime)),
                    Catch::Matchers::ContainsSubstring("co_await"));
}

TEST_CASE("tasks spawned from tasks all finish, ten thousand of them") {
  for (std::size_t workers : {0u, 3u}) {
    auto runtime = wb::Runtime::builder().worker_threads(workers).build();
    auto counter = std::make_shared<std::atomic<int>>(0);
    runtime.block_on([](std::shared_ptr<std::atomic<int>> counter) -> wb::Task<void> {
      std::vector<wb::JoinHandle<void>> handles;
      for (int i = 0; i < 10000; ++i) {
        handles.push_back(
            wb::spawn([](std::shared_ptr<std::atomic<int>> counter) -> wb::Task<void> {
              co_await wb::yield_now();
              counter->fetch_add(1);
            }(counter)));
      }
      for (auto& handle : handles) co_await handle;
    }(counter));
    CHECK(counter->load() == 10000);
  }
}

TEST_CASE("a thread pool runs its tasks on several threads at once") {
  wb::ThreadPoolExecutor pool(4);
  auto all_running = std::make_shared<std::latch>(4);
  auto threads = std::make_shared<std::mutex>();
  auto seen = std::make_shared<std::set<std::thread::id>>();
  std::vector<wb::JoinHandle<bool>> handles;
  for (int i = 0; i < 4; ++i) {
    // Each task blocks its worker until all four run: only four threads at once can finish.
    handles.push_back(pool.spawn(wb::poll_fn([=](wb::Context&) -> wb::Poll<bool> {
      {
        std::lock_guard lock(*threads);
        seen->insert(std::this_thread::get_id());
      }
      all_running->count_down();
      auto give_up = std::chrono::steady_clock::now() + 5s;
      while (!all_running->try_wait() && std::chrono::steady_clock::now() < give_up) {
        std::this_thread::yield();
      }
      return all_running->try_wait();
    })));
  }
  for (auto& handle : handles) CHECK(pool.block_on(std::move(handle)));
  CHECK(seen->size() == 4);
  CHECK(seen->count(std::this_thread::get_id()) == 0);  // block_on's thread is not a worker
}

TEST_CASE("a thread pool's tasks hop between workers and still agree on shared state") {
  auto runtime = wb::Runtime::builder().worker_threads(3).build();
  auto total = std::make_shared<std::atomic<long>>(0);
  auto mutex = std::make_shared<std::mutex>();
  auto log = std::make_shared<std::vector<int>>();
  runtime.block_on([](auto total, auto mutex, auto log) -> wb::Task<void> {
    std::vector<wb::JoinHandle<void>> handles;
    for (int id = 0; id < 50; ++id) {
      handles.push_back(wb::spawn([](int id, auto total, auto mutex, auto log) -> wb::Task<void> {
        for (int step = 0; step < 100; ++step) {
          total->fetch_add(1);
          {
            std::lock_guard lock(*mutex);
            log->push_back(id);
          }
          co_await wb::yield_now();
        }
      }(id, total, mutex, log)));
    }
    for (auto& handle : handles) co_await handle;
  }(total, mutex, log));
  CHECK(total->load() == 5000);
  CHECK(log->size() == 5000);
}

TEST_CASE("block_on on a thread pool polls its own future on the calling thread") {
  wb::ThreadPoolExecutor pool(2);
  auto polled_on = pool.block_on(wb::poll_fn(
      [](wb::Context&) -> wb::Poll<std::thread::id> { return std::this_thread::get_id(); }));
  CHECK(polled_on == std::this_thread::get_id());
}

TEST_CASE("wakes from other threads reach a thread pool's tasks") {
  wb::ThreadPoolExecutor pool(2);
  std::vector<wb::JoinHandle<int>> handles;
  for (int i = 0; i < 20; ++i) handles.push_back(pool.spawn(wb::testing::ThreadCompleted(i, 5ms)));
  int sum = 0;
  for (auto& handle : handles) sum += pool.block_on(std::move(handle));
  CHECK(sum == 190);
}

TEST_CASE("the runtime builder picks the executor and the clock") {
  auto local = wb::Runtime::builder().build();
  CHECK(local.worker_threads() == 0);
  CHECK_FALSE(local.timer_driver().clock().is_virtual());
  auto pool = wb::Runtime::builder().worker_threads(3).virtual_time().build();
  CHECK(pool.worker_threads() == 3);
  CHECK(pool.timer_driver().clock().is_virtual());
  CHECK(pool.block_on(doubled_later(4)) == 8);
  CHECK(local.block_on(doubled_later(5)) == 10);
}

TEST_CASE("a task knows how many worker threads the executor that polls it has") {
  auto const workers_seen_by_a_task = []() -> wb::Task<std::size_t> {
    auto here = []() -> wb::Task<std::size_t> {
      co_return wb::Scheduler::current()->worker_threads();
    };
    co_return co_await wb::spawn(here());
  };
  auto local = wb::Runtime::builder().build();
  CHECK(local.block_on(workers_seen_by_a_task()) == 0);
  auto pool = wb::Runtime::builder().worker_threads(3).virtual_time().build();
  CHECK(pool.block_on(workers_seen_by_a_task()) == 3);
  wb::ThreadPoolExecutor two(2);
  CHECK(two.block_on(workers_seen_by_a_task()) == 2);
}

TEST_CASE("a JoinHandle passes every oracle while its task runs on a thread pool") {
  wb::ThreadPoolExecutor pool(2);
  auto task = [](int value) -> wb::Task<int> {
    int got = co_await wb::testing::ThreadCompleted(value, 5ms);
    co_await wb::yield_now();
    co_return got;
  };
  CHECK(wb::oracle::parking(pool.spawn(task(1))).value == 1);
  CHECK(wb::oracle::spurious(pool.spawn(task(2))).value == 2);
  CHECK(wb::oracle::waker_swap(pool.spawn(task(3))).value == 3);
  CHECK(wb::oracle::threaded(pool.spawn(task(4))).value == 4);
  CHECK(wb::oracle::after_ready(pool.spawn(task(5))).value == 5);
  CHECK(wb::oracle::spin(pool.spawn(task(6))).value == 6);
}

TEST_CASE("a JoinHandle awaited while its task completes on another thread never misses the end") {
  wb::ThreadPoolExecutor pool(2);
  for (int round = 0; round < 300; ++round) {
    auto handle = pool.spawn(wb::yield_now());
    // A fresh waker at every poll, from alternating threads: races the completion each time.
    wb::oracle::Options options;
    options.deadline = 2s;
    wb::oracle::waker_swap(std::move(handle), options);
  }
}

TEST_CASE("a task woken from another thread while it is being polled is polled again") {
  for (std::size_t workers : {0u, 2u}) {
    auto runtime = wb::Runtime::builder().worker_threads(workers).build();
    int sum = runtime.block_on([]() -> wb::Task<int> {
      int sum = 0;
      // The helper thread fires at once: its wake lands during or just after the poll.
      for (int i = 0; i < 300; ++i) sum += co_await wb::testing::ThreadCompleted(1, 0ms);
      co_return sum;
    }());
    CHECK(sum == 300);
  }
}

TEST_CASE("the run queue keeps first-in first-out order as it wraps around and grows") {
  wb::RunQueue<int> queue;
  int next_in = 0;
  int next_out = 0;
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i < 40 + round; ++i) queue.push_back(next_in++);
    for (int i = 0; i < 30; ++i) REQUIRE(queue.pop_front() == next_out++);
  }
  while (!queue.empty()) REQUIRE(queue.pop_front() == next_out++);
  CHECK(next_out == next_in);
}
