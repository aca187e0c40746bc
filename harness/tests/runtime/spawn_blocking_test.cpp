// spawn_blocking: a blocking call on a pool thread, its result or its exception through the
// JoinHandle, an executor that keeps running other tasks meanwhile, and a pool that never runs
// more calls at once than its bound.
#include "wb/task/spawn_blocking.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "wb/core/yield_now.hpp"
#include "wb/exec/runtime.hpp"
#include "wb/task/spawn.hpp"
#include "wb/task/task.hpp"
#include "wb/testing/catch.hpp"

namespace {

// A latch the test opens: blocking calls wait on it (for real, with a mutex).
struct Latch {
  std::mutex mutex;
  std::condition_variable opened;
  bool open = false;
  void wait() {
    std::unique_lock lock(mutex);
    opened.wait(lock, [&] { return open; });
  }
  void release() {
    std::lock_guard lock(mutex);
    open = true;
    opened.notify_all();
  }
};

}  // namespace

TEST_CASE("spawn_blocking gives the call's result through the JoinHandle") {
  auto runtime = wb::Runtime::builder().build();
  auto caller = std::this_thread::get_id();
  auto [text, elsewhere] =
      runtime.block_on([](std::thread::id caller) -> wb::Task<std::pair<std::string, bool>> {
        auto text = co_await wb::spawn_blocking([caller] {
          return std::string("ran on ") +
                 (std::this_thread::get_id() == caller ? "the caller" : "a pool thread");
        });
        co_return std::pair{text, true};
      }(caller));
  CHECK(text == "ran on a pool thread");
  CHECK(elsewhere);
}

TEST_CASE("spawn_blocking rethrows the call's exception where the JoinHandle is awaited") {
  auto runtime = wb::Runtime::builder().worker_threads(2).build();
  auto handle = runtime.block_on([]() -> wb::Task<wb::JoinHandle<int>> {
    co_return wb::spawn_blocking([]() -> int { throw std::runtime_error("the disk is on fire"); });
  }());
  CHECK_THROWS_WITH(runtime.block_on(std::move(handle)), "the disk is on fire");
  runtime.block_on(wb::spawn_blocking([] {}));  // a void call
}

TEST_CASE("while a blocking call blocks, the executor's thread keeps running other tasks") {
  auto runtime = wb::Runtime::builder().build();  // one thread: a blocked poll would stop it
  auto latch = std::make_shared<Latch>();
  int steps = runtime.block_on([](std::shared_ptr<Latch> latch) -> wb::Task<int> {
    auto blocked = wb::spawn_blocking([latch] {
      latch->wait();
      return 1;
    });
    int steps = 0;
    for (; steps < 100; ++steps) co_await wb::yield_now();  // runs although the call blocks
    latch->release();
    co_return steps + co_await std::move(blocked);
  }(latch));
  CHECK(steps == 101);
}

TEST_CASE("a blocking pool never runs more calls at once than its bound") {
  auto pool = wb::BlockingPool::create(2);
  auto latch = std::make_shared<Latch>();
  std::atomic<int> running{0};
  std::atomic<int> most{0};
  std::atomic<int> started{0};
  std::vector<wb::JoinHandle<void>> handles;
  for (int i = 0; i < 6; ++i) {
    handles.push_back(wb::spawn_blocking_on(*pool, [&, latch] {
      int now = ++running;
      int seen = most.load();
      while (now > seen && !most.compare_exchange_weak(seen, now)) {
      }
      ++started;
      latch->wait();
      --running;
    }));
  }
  while (started.load() < 2) std::this_thread::yield();  // the first two are inside
  CHECK(pool->threads() == 2);
  CHECK(started.load() == 2);  // the other four wait in the queue, not on threads of their own
  latch->release();
  auto runtime = wb::Runtime::builder().build();
  for (auto& handle : handles) runtime.block_on(std::move(handle));
  CHECK(started.load() == 6);
  CHECK(most.load() == 2);
  pool->shut_down();
  CHECK(pool->threads() == 0);
}

TEST_CASE("shutting a blocking pool down cancels the calls that have not started") {
  auto pool = wb::BlockingPool::create(1);
  auto latch = std::make_shared<Latch>();
  std::atomic<bool> first_started{false};
  auto first = wb::spawn_blocking_on(*pool, [&first_started, latch] {
    first_started = true;
    latch->wait();
    return 1;
  });
  auto second = wb::spawn_blocking_on(*pool, [] { return 2; });
  while (!first_started.load()) std::this_thread::yield();
  std::thread releaser([pool, latch] {
    while (!pool->is_closed()) std::this_thread::yield();  // the second call can no longer start
    latch->release();
  });
  pool->shut_down();  // waits for the first call to return; the second never starts
  releaser.join();
  auto runtime = wb::Runtime::builder().build();
  CHECK(runtime.block_on(std::move(first)) == 1);
  CHECK_THROWS_AS(runtime.block_on(std::move(second)), wb::TaskAborted);
}
