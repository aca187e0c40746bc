// A LocalExecutor's tasks take their uncontended steps (detach before the first poll, the poll
// itself, finishing) with plain stores when only the executor's thread holds them. These tests
// put other threads next to those steps: handles dropped elsewhere, wakes and aborts from other
// threads, a task spawned from outside. ThreadSanitizer checks the hand-overs.
#include <atomic>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "runtime_helpers.hpp"
#include "wb/core/poll_fn.hpp"
#include "wb/core/yield_now.hpp"
#include "wb/exec/local_executor.hpp"
#include "wb/task/abort_handle.hpp"
#include "wb/task/spawn.hpp"
#include "wb/task/task.hpp"
#include "wb/testing/catch.hpp"

using wb::testing::DropFlag;
using wb::testing::Gate;
using wb::testing::GateState;
using wb::testing::make_flag;

namespace {

using Counter = std::shared_ptr<std::atomic<int>>;
Counter make_counter() { return std::make_shared<std::atomic<int>>(0); }

// Counts itself done when polled, and counts its drop.
class CountOnce {
 public:
  using Output = void;
  CountOnce(Counter ran, Counter dropped) : ran_(std::move(ran)), dropped_(std::move(dropped)) {}
  CountOnce(CountOnce&& other) noexcept = default;
  ~CountOnce() {
    if (dropped_) dropped_->fetch_add(1);
  }
  wb::Poll<void> poll(wb::Context&) {
    ran_->fetch_add(1);
    return wb::Poll<void>::ready();
  }

 private:
  Counter ran_;
  Counter dropped_;
};

// Counts its destruction, moved or not: a coroutine's parameters are destroyed with its frame,
// even when the coroutine is dropped before it ever started.
class CountsDrop {
 public:
  explicit CountsDrop(Counter dropped) : dropped_(std::move(dropped)) {}
  CountsDrop(CountsDrop&& other) noexcept = default;  // the moved-from one counts nothing
  CountsDrop& operator=(CountsDrop&&) = delete;
  ~CountsDrop() {
    if (dropped_) dropped_->fetch_add(1);
  }

 private:
  Counter dropped_;
};

// Waits for its gate, then counts itself done; counts its drop either way.
wb::Task<void> gated(std::shared_ptr<GateState> gate, Counter ran, CountsDrop guard) {
  co_await Gate(std::move(gate));
  ran->fetch_add(1);
  (void)guard;
}

}  // namespace

TEST_CASE("tasks detached on their executor's thread before their first poll run and are freed") {
  wb::LocalExecutor executor;
  auto ran = make_counter();
  auto dropped = make_counter();
  constexpr int count = 1000;
  executor.block_on(wb::poll_fn([&, spawned = false](wb::Context& cx) mutable -> wb::Poll<void> {
    if (!spawned) {
      spawned = true;
      for (int i = 0; i < count; ++i) wb::spawn(CountOnce(ran, dropped)).detach();
    }
    if (ran->load() == count) return wb::Poll<void>::ready();
    cx.waker().wake_by_ref();
    return wb::pending;
  }));
  CHECK(ran->load() == count);
  CHECK(dropped->load() == count);  // each future was dropped once it had finished
  CHECK(executor.live_tasks() == 0);
}

TEST_CASE("a local task whose JoinHandle is dropped on another thread runs to the end") {
  wb::LocalExecutor executor;
  auto ran = make_counter();
  auto dropped = make_counter();
  auto handle = executor.spawn_local(CountOnce(ran, dropped));
  std::thread([h = std::move(handle)]() mutable { h.detach(); }).join();
  executor.block_on(wb::yield_now());
  executor.block_on(wb::yield_now());
  CHECK(ran->load() == 1);
  CHECK(executor.live_tasks() == 0);
}

TEST_CASE("a local task spawned from another thread and detached there runs once") {
  wb::LocalExecutor executor;
  auto ran = make_counter();
  auto dropped = make_counter();
  std::thread([&] { executor.spawn_local(CountOnce(ran, dropped)).detach(); }).join();
  executor.block_on(wb::poll_fn([&, turns = 0](wb::Context& cx) mutable -> wb::Poll<void> {
    if (ran->load() == 1 || ++turns > 1000) return wb::Poll<void>::ready();
    cx.waker().wake_by_ref();
    return wb::pending;
  }));
  CHECK(ran->load() == 1);
  CHECK(executor.live_tasks() == 0);
}

TEST_CASE("detached local tasks woken or aborted from other threads each end exactly once") {
  constexpr int count = 200;
  for (int round = 0; round < 5; ++round) {
    wb::LocalExecutor executor;
    auto ran = make_counter();
    auto dropped = make_counter();
    std::vector<std::shared_ptr<GateState>> gates;
    std::vector<wb::AbortHandle> aborts;
    for (int i = 0; i < count; ++i) gates.push_back(std::make_shared<GateState>());
    std::atomic<bool> spawned{false};
    std::atomic<int> helpers_done{0};
    // Half the tasks are opened from one thread, the other half aborted from another, while
    // the executor's thread detaches every handle right after spawning it.
    std::thread opener([&] {
      while (!spawned.load(std::memory_order_acquire)) std::this_thread::yield();
      for (int i = 0; i < count; i += 2) gates[i]->open_now();
      helpers_done.fetch_add(1);
    });
    std::thread aborter([&] {
      while (!spawned.load(std::memory_order_acquire)) std::this_thread::yield();
      for (int i = 1; i < count; i += 2) aborts[i / 2].abort();
      helpers_done.fetch_add(1);
    });
    // Once both threads are done every task can end without them: a thousand more turns of
    // the executor are plenty, and a task lost for good ends the test instead of hanging it.
    int turns_after = 0;
    executor.block_on(wb::poll_fn([&, started = false](wb::Context& cx) mutable -> wb::Poll<void> {
      if (!started) {
        started = true;
        for (int i = 0; i < count; ++i) {
          auto handle = wb::spawn(gated(gates[i], ran, CountsDrop(dropped)));
          if (i % 2 == 1) aborts.push_back(handle.abort_handle());
        }  // each handle is dropped here, detaching its task
        spawned.store(true, std::memory_order_release);
      }
      if (dropped->load() == count) return wb::Poll<void>::ready();
      if (helpers_done.load() == 2 && ++turns_after > 1000) return wb::Poll<void>::ready();
      cx.waker().wake_by_ref();
      return wb::pending;
    }));
    opener.join();
    aborter.join();
    CHECK(ran->load() == count / 2);
    CHECK(dropped->load() == count);
    aborts.clear();
    CHECK(executor.live_tasks() == 0);
  }
}

TEST_CASE("a local task holding a clone of its waker on another thread finishes once") {
  wb::LocalExecutor executor;
  auto ran = make_counter();
  auto dropped = make_flag();
  std::thread holder;
  auto handle = executor.spawn_local(wb::poll_fn(
      [&, polls = 0, guard = DropFlag(dropped)](wb::Context& cx) mutable -> wb::Poll<int> {
        (void)guard;
        if (++polls == 1) {
          // Wakes itself from another thread, which keeps its clone a little longer.
          holder = std::thread([waker = cx.waker()] {
            waker.wake_by_ref();
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
          });
          return wb::pending;
        }
        ran->fetch_add(1);
        return wb::Poll<int>::ready(polls);
      }));
  CHECK(executor.block_on(std::move(handle)) == 2);
  holder.join();
  CHECK(ran->load() == 1);
  CHECK(dropped->load());
  CHECK(executor.live_tasks() == 0);
}
