// Going idle: wakes that race a runtime's destruction, and wakers that must not be dropped while
// the timer queue's lock is held (dropping the last reference to a task runs its destructor).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "runtime_helpers.hpp"
#include "wb/core/poll_fn.hpp"
#include "wb/exec/runtime.hpp"
#include "wb/task/task.hpp"
#include "wb/testing/catch.hpp"
#include "wb/time/sleep.hpp"
#include "wb/time/timer_driver.hpp"

using namespace std::chrono_literals;
using wb::testing::Gate;
using wb::testing::GateState;

namespace {

// Whether the timer driver's lock could be taken at the moment a waker was dropped: the
// waker's target checks from another thread when it is destroyed. The other thread's wait is
// bounded by a generous hang guard: a free lock is taken at once.
struct LockWitness {
  std::shared_ptr<wb::TimerDriver> driver;
  std::atomic<int> lock_was_free{-1};  // -1: not dropped yet
  std::thread checker;
  ~LockWitness() {
    if (checker.joinable()) checker.join();
  }
};

struct DropsAndChecksLock {
  explicit DropsAndChecksLock(std::shared_ptr<LockWitness> w) : witness(std::move(w)) {}
  DropsAndChecksLock(DropsAndChecksLock const&) = delete;
  DropsAndChecksLock& operator=(DropsAndChecksLock const&) = delete;
  std::shared_ptr<LockWitness> witness;
  void wake() {}
  ~DropsAndChecksLock() {
    auto taken = std::make_shared<std::promise<void>>();
    std::future<void> done = taken->get_future();
    auto driver = witness->driver;
    witness->checker = std::thread([driver, taken] {
      (void)driver->pending_timers();  // takes the driver's lock
      taken->set_value();
    });
    witness->lock_was_free = done.wait_for(5s) == std::future_status::ready ? 1 : 0;
  }
};

wb::Waker witness_waker(std::shared_ptr<LockWitness> const& witness) {
  return wb::waker_from(std::make_shared<DropsAndChecksLock>(witness));
}

}  // namespace

TEST_CASE("a timer's replaced waker is dropped after the driver's lock is released") {
  auto witness = std::make_shared<LockWitness>();
  witness->driver = std::make_shared<wb::TimerDriver>(wb::Clock::Kind::paused);
  auto& driver = *witness->driver;
  wb::TimerEntry entry;
  auto deadline = driver.now() + 1s;
  CHECK_FALSE(driver.poll_timer(entry, deadline, witness_waker(witness)));
  CHECK(witness->lock_was_free == -1);  // the driver still holds the first waker
  CHECK_FALSE(driver.poll_timer(entry, deadline, wb::Waker::noop()));  // a new waker replaces it
  CHECK(witness->lock_was_free == 1);
  driver.cancel(entry);
}

TEST_CASE("a cancelled timer's waker is dropped after the driver's lock is released") {
  auto witness = std::make_shared<LockWitness>();
  witness->driver = std::make_shared<wb::TimerDriver>(wb::Clock::Kind::paused);
  auto& driver = *witness->driver;
  wb::TimerEntry entry;
  CHECK_FALSE(driver.poll_timer(entry, driver.now() + 1s, witness_waker(witness)));
  driver.cancel(entry);
  CHECK(witness->lock_was_free == 1);
}

TEST_CASE("wakes from a foreign thread while a thread pool runtime is destroyed are harmless") {
  // A worker picked as idle by a wake from outside the pool must not be unparked after the
  // pool has destroyed it. ASan and TSan see the use after free when it happens.
  for (int round = 0; round < 200; ++round) {
    auto gate = std::make_shared<GateState>();
    std::optional<wb::Runtime> runtime(wb::Runtime::builder().worker_threads(2).build());
    runtime->spawn(Gate(gate)).detach();
    for (;;) {  // until the task has been polled and left its waker
      {
        std::lock_guard lock(gate->mutex);
        if (gate->waker) break;
      }
      std::this_thread::yield();
    }
    std::atomic<bool> stop{false};
    std::thread foreign([&] {
      while (!stop.load()) {
        std::optional<wb::Waker> waker;
        {
          std::lock_guard lock(gate->mutex);
          waker = gate->waker;
        }
        if (waker) waker->wake_by_ref();
      }
    });
    runtime.reset();
    stop = true;
    foreign.join();
    std::lock_guard lock(gate->mutex);
    gate->waker.reset();
  }
  SUCCEED("no wake touched a destroyed worker");
}

TEST_CASE("a worker blocked inside a task does not stop the timers of the other tasks") {
  // One task blocks its worker thread (on a real condition variable) until another task's
  // timer fires. The thread that was polling may be the one that blocks: another idle thread
  // must take over the timers. The blocking wait is bounded (a hang guard), and the test asks
  // only whether the timer released it.
  struct Latch {
    std::mutex mutex;
    std::condition_variable opened;
    bool open = false;
  };
  for (int round = 0; round < 20; ++round) {
    auto runtime = wb::Runtime::builder().worker_threads(2).build();
    auto latch = std::make_shared<Latch>();
    auto opener = runtime.spawn([](std::shared_ptr<Latch> latch) -> wb::Task<void> {
      co_await wb::sleep(2ms);
      std::lock_guard lock(latch->mutex);
      latch->open = true;
      latch->opened.notify_all();
    }(latch));
    auto blocker = runtime.spawn(wb::poll_fn([latch](wb::Context&) -> wb::Poll<bool> {
      std::unique_lock lock(latch->mutex);
      return latch->opened.wait_for(lock, 30s, [&] { return latch->open; });
    }));
    CHECK(runtime.block_on(std::move(blocker)));  // released by the timer, not by the guard
    runtime.block_on(std::move(opener));
  }
}
