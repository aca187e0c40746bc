// The sync primitives: Semaphore (FIFO, owned permits, close, cancellation), Mutex and its
// guard, RwLock, Notify — by hand, on the executors, and under the oracles with the release
// coming from another thread.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "wb/core/poll_fn.hpp"
#include "wb/core/yield_now.hpp"
#include "wb/exec/block_on.hpp"
#include "wb/exec/runtime.hpp"
#include "wb/oracle/oracles.hpp"
#include "wb/sync/mutex.hpp"
#include "wb/sync/notify.hpp"
#include "wb/sync/rw_lock.hpp"
#include "wb/sync/semaphore.hpp"
#include "wb/task/spawn.hpp"
#include "wb/task/task.hpp"
#include "wb/testing/catch.hpp"
#include "wb/testing/wake_counter.hpp"
#include "wb/time/sleep.hpp"

using namespace std::chrono_literals;
using wb::testing::WakeCounter;

namespace {

/// A context whose wakes a test can count.
struct CountedContext {
  std::shared_ptr<WakeCounter> counter = WakeCounter::make();
  wb::Waker waker = counter->waker();
  wb::Context cx{waker};
  std::size_t wakes() const { return counter->wakes(); }
};

/// Runs `fn` on another thread after `delay`, joined when the helper goes.
class Later {
 public:
  template <class Fn>
  Later(std::chrono::milliseconds delay, Fn fn)
      : thread_([delay, fn = std::move(fn)]() mutable {
          std::this_thread::sleep_for(delay);
          fn();
        }) {}
  ~Later() { thread_.join(); }

 private:
  std::thread thread_;
};

}  // namespace

// --- Semaphore ---

TEST_CASE("a semaphore hands out permits until none are left and takes back dropped ones") {
  wb::Semaphore semaphore(2);
  auto first = semaphore.try_acquire();
  auto second = semaphore.try_acquire();
  REQUIRE(first);
  REQUIRE(second);
  CHECK(semaphore.available_permits() == 0);
  auto third = semaphore.try_acquire();
  REQUIRE_FALSE(third);
  CHECK(third.error() == wb::TryAcquireError::no_permits);
  { auto released = std::move(*first); }
  CHECK(semaphore.available_permits() == 1);
  second->forget();  // kept out for good
  CHECK(semaphore.available_permits() == 1);
}

TEST_CASE("an acquire waits while no permit is free and is woken when one is given back") {
  wb::Semaphore semaphore(1);
  auto held = semaphore.try_acquire();
  REQUIRE(held);
  CountedContext context;
  auto acquire = semaphore.acquire();
  CHECK(acquire.poll(context.cx).is_pending());
  CHECK(acquire.poll(context.cx).is_pending());  // a second poll does not queue it twice
  CHECK(context.wakes() == 0);
  { auto released = std::move(*held); }
  CHECK(context.wakes() == 1);
  auto permit = acquire.poll(context.cx);
  REQUIRE(permit.is_ready());
  CHECK(permit.value()->count() == 1);
  CHECK(semaphore.available_permits() == 0);  // handed over, never free in between
}

TEST_CASE("semaphore waiters are served in order and a large request is not overtaken") {
  wb::Semaphore semaphore(2);
  auto held = semaphore.try_acquire(2);
  REQUIRE(held);
  wb::Context cx(wb::Waker::noop());
  auto big = semaphore.acquire(2);
  auto small = semaphore.acquire(1);
  CHECK(big.poll(cx).is_pending());
  CHECK(small.poll(cx).is_pending());
  held->forget();
  semaphore.add_permits(1);
  // One permit free, but the head of the queue needs two: the one behind it must wait.
  CHECK(small.poll(cx).is_pending());
  CHECK(semaphore.try_acquire(1).error() == wb::TryAcquireError::no_permits);
  semaphore.add_permits(1);
  auto big_permit = big.poll(cx);
  CHECK(big_permit.is_ready());
  CHECK(small.poll(cx).is_pending());
}

TEST_CASE("a dropped acquire leaves the queue and lets the waiter behind it go on") {
  wb::Semaphore semaphore(1);
  wb::Context cx(wb::Waker::noop());
  auto small = semaphore.acquire(1);
  {
    auto too_big = semaphore.acquire(2);  // can never be served with one permit
    auto held = semaphore.try_acquire(1);
    CHECK(too_big.poll(cx).is_pending());
    CHECK(small.poll(cx).is_pending());
  }  // the permit comes back, and the request at the head goes away
  CHECK(small.poll(cx).is_ready());
}

TEST_CASE("permits granted to an acquire that is dropped unpolled go back to the semaphore") {
  wb::Semaphore semaphore(1);
  wb::Context cx(wb::Waker::noop());
  auto held = semaphore.try_acquire();
  {
    auto acquire = semaphore.acquire();
    CHECK(acquire.poll(cx).is_pending());
    { auto released = std::move(*held); }  // granted to `acquire` ...
    CHECK(semaphore.available_permits() == 0);
  }  // ... which never saw it
  CHECK(semaphore.available_permits() == 1);
}

TEST_CASE("closing a semaphore fails waiting and later acquires with Closed") {
  wb::Semaphore semaphore(0);
  CountedContext context;
  auto waiting = semaphore.acquire();
  CHECK(waiting.poll(context.cx).is_pending());
  semaphore.close();
  CHECK(context.wakes() == 1);
  auto result = waiting.poll(context.cx);
  REQUIRE(result.is_ready());
  CHECK_FALSE(result.value().has_value());
  CHECK(semaphore.is_closed());
  auto later = wb::block_on(semaphore.acquire());
  CHECK_FALSE(later.has_value());
  CHECK(semaphore.try_acquire().error() == wb::TryAcquireError::closed);
}

TEST_CASE("an owned permit keeps its semaphore alive inside a spawned task") {
  auto runtime = wb::Runtime::builder().virtual_time().build();
  std::weak_ptr<wb::Semaphore> watch;
  int ran = runtime.block_on([](std::weak_ptr<wb::Semaphore>& watch) -> wb::Task<int> {
    auto semaphore = std::make_shared<wb::Semaphore>(1);
    watch = semaphore;
    auto permit = co_await semaphore->acquire_owned();
    auto task = wb::spawn([](wb::OwnedSemaphorePermit permit) -> wb::Task<int> {
      co_await wb::sleep(1s);
      co_return static_cast<int>(permit.count());
    }(std::move(permit.value())));
    semaphore.reset();  // only the permit in the task holds it now
    co_return co_await std::move(task);
  }(watch));
  CHECK(ran == 1);
  CHECK(watch.expired());
}

TEST_CASE("acquire_owned refuses a semaphore that no shared_ptr owns") {
  wb::Semaphore semaphore(1);
  CHECK_THROWS_AS(semaphore.acquire_owned(), wb::ContractViolation);
}

TEST_CASE(
    "a semaphore acquire passes every oracle with the permit given back from another thread") {
  auto run = [](auto oracle) {
    wb::Semaphore semaphore(1);
    auto held = semaphore.try_acquire();
    Later release(20ms, [permit = std::make_shared<wb::SemaphorePermit>(
                             std::move(*held))]() mutable { permit.reset(); });
    auto outcome = oracle(semaphore.acquire());
    CHECK(outcome.value.has_value());
  };
  run([](auto f) { return wb::oracle::parking(std::move(f)); });
  run([](auto f) { return wb::oracle::spurious(std::move(f)); });
  run([](auto f) { return wb::oracle::waker_swap(std::move(f)); });
  run([](auto f) { return wb::oracle::threaded(std::move(f)); });
  run([](auto f) { return wb::oracle::after_ready(std::move(f)); });
}

// --- Mutex ---

TEST_CASE("a mutex guard gives access to the value and unlocks when it goes out of scope") {
  wb::Mutex<std::vector<int>> mutex(std::vector<int>{1, 2});
  {
    auto guard = wb::block_on(mutex.lock());
    guard->push_back(3);
    CHECK_FALSE(mutex.try_lock());
  }
  auto again = mutex.try_lock();
  REQUIRE(again);
  CHECK(**again == std::vector<int>{1, 2, 3});
}

TEST_CASE("mutex waiters get the lock first come first served") {
  auto runtime = wb::Runtime::builder().build();
  auto order = runtime.block_on([]() -> wb::Task<std::vector<int>> {
    auto mutex = std::make_shared<wb::Mutex<std::vector<int>>>();
    auto first = co_await mutex->lock();  // everyone else queues behind this
    std::vector<wb::JoinHandle<void>> tasks;
    for (int i = 0; i < 5; ++i) {
      tasks.push_back(wb::spawn(
          [](std::shared_ptr<wb::Mutex<std::vector<int>>> mutex, int i) -> wb::Task<void> {
            for (int wait = 0; wait < i; ++wait) co_await wb::yield_now();  // queue in order 0..4
            auto guard = co_await mutex->lock();
            guard->push_back(i);
          }(mutex, i)));
    }
    for (int i = 0; i < 10; ++i) co_await wb::yield_now();  // let them all queue up
    { auto released = std::move(first); }
    for (auto& task : tasks) co_await task;
    co_return *co_await mutex->lock();
  }());
  CHECK(order == std::vector<int>{0, 1, 2, 3, 4});
}

TEST_CASE("a mutex may be held across a co_await while another task waits for it") {
  auto runtime = wb::Runtime::builder().virtual_time().build();
  auto log = runtime.block_on([]() -> wb::Task<std::vector<std::string>> {
    auto mutex = std::make_shared<wb::Mutex<std::vector<std::string>>>();
    auto holder =
        wb::spawn([](std::shared_ptr<wb::Mutex<std::vector<std::string>>> m) -> wb::Task<void> {
          auto guard = co_await m->lock();
          guard->push_back("holder in");
          co_await wb::sleep(1s);
          guard->push_back("holder out");
        }(mutex));
    co_await wb::sleep(100ms);
    {
      auto guard = co_await mutex->lock();
      guard->push_back("second");
    }
    co_await holder;
    co_return *co_await mutex->lock();
  }());
  CHECK(log == std::vector<std::string>{"holder in", "holder out", "second"});
}

TEST_CASE("a mutex lock passes every oracle with the lock released from another thread") {
  auto run = [](auto oracle) {
    wb::Mutex<int> mutex(7);
    auto guard = std::make_shared<std::optional<wb::MutexGuard<int>>>(mutex.try_lock());
    Later release(20ms, [guard] { guard->reset(); });
    auto outcome = oracle(mutex.lock());
    CHECK(*outcome.value == 7);
  };
  run([](auto f) { return wb::oracle::parking(std::move(f)); });
  run([](auto f) { return wb::oracle::spurious(std::move(f)); });
  run([](auto f) { return wb::oracle::waker_swap(std::move(f)); });
  run([](auto f) { return wb::oracle::threaded(std::move(f)); });
  run([](auto f) { return wb::oracle::after_ready(std::move(f)); });
}

// --- RwLock ---

TEST_CASE("many readers share an RwLock at once and a writer has it alone") {
  wb::RwLock<int> lock(5);
  auto a = lock.try_read();
  auto b = lock.try_read();
  REQUIRE(a);
  REQUIRE(b);
  CHECK(**a + **b == 10);
  CHECK_FALSE(lock.try_write());
  a.reset();
  b.reset();
  auto writer = lock.try_write();
  REQUIRE(writer);
  **writer = 6;
  CHECK_FALSE(lock.try_read());
  writer.reset();
  CHECK(**lock.try_read() == 6);
}

TEST_CASE("a waiting writer holds back the readers that come after it") {
  wb::RwLock<int> lock(0);
  wb::Context cx(wb::Waker::noop());
  auto reader = lock.try_read();
  auto write = lock.write();
  CHECK(write.poll(cx).is_pending());
  auto late_read = lock.read();
  CHECK(late_read.poll(cx).is_pending());  // a free read slot, but the writer is first in line
  CHECK_FALSE(lock.try_read());
  reader.reset();
  auto writer = write.poll(cx);
  REQUIRE(writer.is_ready());
  CHECK(late_read.poll(cx).is_pending());
  { auto done = std::move(writer).value(); }
  CHECK(late_read.poll(cx).is_ready());
}

TEST_CASE("an RwLock write passes every oracle with the readers leaving from another thread") {
  auto run = [](auto oracle) {
    wb::RwLock<int> lock(1);
    auto reader = std::make_shared<std::optional<wb::RwLockReadGuard<int>>>(lock.try_read());
    Later release(20ms, [reader] { reader->reset(); });
    auto outcome = oracle(lock.write());
    CHECK(*outcome.value == 1);
  };
  run([](auto f) { return wb::oracle::parking(std::move(f)); });
  run([](auto f) { return wb::oracle::waker_swap(std::move(f)); });
  run([](auto f) { return wb::oracle::threaded(std::move(f)); });
}

// --- Notify ---

TEST_CASE("notify_one before anyone waits leaves one permit for the next notified") {
  wb::Notify notify;
  wb::Context cx(wb::Waker::noop());
  notify.notify_one();
  notify.notify_one();  // permits do not add up
  auto first = notify.notified();
  auto second = notify.notified();
  CHECK(first.poll(cx).is_ready());
  CHECK(second.poll(cx).is_pending());
}

TEST_CASE("notify_one wakes waiters one at a time in the order they came") {
  wb::Notify notify;
  CountedContext a_context, b_context;
  auto a = notify.notified();
  auto b = notify.notified();
  CHECK(a.poll(a_context.cx).is_pending());
  CHECK(b.poll(b_context.cx).is_pending());
  notify.notify_one();
  CHECK(a_context.wakes() == 1);
  CHECK(b_context.wakes() == 0);
  CHECK(a.poll(a_context.cx).is_ready());
  CHECK(b.poll(b_context.cx).is_pending());
  notify.notify_one();
  CHECK(b.poll(b_context.cx).is_ready());
}

TEST_CASE("notify_waiters wakes every waiter even one not yet polled and leaves no permit") {
  wb::Notify notify;
  wb::Context cx(wb::Waker::noop());
  auto polled = notify.notified();
  auto made_only = notify.notified();
  CHECK(polled.poll(cx).is_pending());
  notify.notify_waiters();
  CHECK(polled.poll(cx).is_ready());
  CHECK(made_only.poll(cx).is_ready());
  auto later = notify.notified();
  CHECK(later.poll(cx).is_pending());
}

TEST_CASE("a notified future dropped after notify_one passes the notification on") {
  wb::Notify notify;
  wb::Context cx(wb::Waker::noop());
  auto second = notify.notified();
  {
    auto first = notify.notified();
    CHECK(first.poll(cx).is_pending());
    CHECK(second.poll(cx).is_pending());
    notify.notify_one();  // goes to `first` ...
  }                       // ... which is dropped without seeing it
  CHECK(second.poll(cx).is_ready());
}

TEST_CASE("notified passes every oracle with the notification from another thread") {
  auto run = [](auto oracle) {
    wb::Notify notify;
    Later poke(20ms, [&notify] { notify.notify_one(); });
    oracle(notify.notified());
  };
  run([](auto f) { return wb::oracle::parking(std::move(f)); });
  run([](auto f) { return wb::oracle::spurious(std::move(f)); });
  run([](auto f) { return wb::oracle::waker_swap(std::move(f)); });
  run([](auto f) { return wb::oracle::threaded(std::move(f)); });
  run([](auto f) { return wb::oracle::after_ready(std::move(f)); });
}
