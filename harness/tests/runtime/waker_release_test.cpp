// Every primitive in sync/ lets go of a replaced or dropped waker only after releasing its lock:
// the last handle of a waker can run a task's destructor, and that destructor may use the same
// primitive. Each case polls a waiting future with a DropProbe waker, then makes the primitive let
// go of it, and the probe checks from another thread that the primitive's lock was free then.
#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include "wb/combinator/futures_unordered.hpp"
#include "wb/sync/broadcast.hpp"
#include "wb/sync/mpsc.hpp"
#include "wb/sync/notify.hpp"
#include "wb/sync/oneshot.hpp"
#include "wb/sync/semaphore.hpp"
#include "wb/sync/watch.hpp"
#include "wb/testing/catch.hpp"
#include "wb/testing/drop_probe.hpp"

using wb::testing::DropProbe;

namespace {

/// Polls `future` with a waker of `probe`, then again with another waker: the primitive replaces
/// the probe's waker with the new one, which releases the probe's handle.
template <class F>
void poll_then_replace_waker(F& future, DropProbe& probe) {
  {
    wb::Waker first = probe.waker();
    wb::Context cx(first);
    REQUIRE(future.poll(cx).is_pending());
  }
  REQUIRE(probe.live_handles() == 1);  // the primitive keeps a clone while the future waits
  wb::Context cx(wb::Waker::noop());
  REQUIRE(future.poll(cx).is_pending());
}

void require_released_outside_the_lock(DropProbe& probe) {
  {
    INFO("the primitive still holds " << probe.live_handles()
                                      << " handle(s) of a waker it no longer needs");
    CHECK(probe.live_handles() == 0);
  }
  {
    INFO("the primitive released a waker " << probe.releases_under_lock()
                                           << " time(s) while still holding its lock");
    CHECK(probe.releases_under_lock() == 0);
  }
  probe.disarm();
}

}  // namespace

TEST_CASE("a semaphore (under every Mutex and RwLock) replaces a waiter's waker outside its lock") {
  wb::Semaphore semaphore(0);
  DropProbe probe([&] { (void)semaphore.available_permits(); });
  {
    auto acquire = semaphore.acquire();
    poll_then_replace_waker(acquire, probe);
    require_released_outside_the_lock(probe);
  }
}

TEST_CASE("a notify replaces a waiting future's waker outside its lock") {
  wb::Notify notify;
  DropProbe probe([&] { (void)notify.notified(); });  // making a future reads under the lock
  auto notified = notify.notified();
  poll_then_replace_waker(notified, probe);
  require_released_outside_the_lock(probe);
}

TEST_CASE("oneshot lets go of the receiver's and the sender's wakers outside its lock") {
  SECTION("the receiver's waker, replaced") {
    auto [tx, rx] = wb::oneshot::channel<int>();
    auto& sender = tx;
    DropProbe probe([&] { (void)sender.is_closed(); });
    poll_then_replace_waker(rx, probe);
    require_released_outside_the_lock(probe);
  }
  SECTION("the sender's waker in closed(), replaced") {
    auto [tx, rx] = wb::oneshot::channel<int>();
    auto& sender = tx;
    DropProbe probe([&] { (void)sender.is_closed(); });
    auto closed = tx.closed();
    poll_then_replace_waker(closed, probe);
    require_released_outside_the_lock(probe);
  }
  SECTION("the receiver's waker, when the receiver closes") {
    auto [tx, rx] = wb::oneshot::channel<int>();
    auto& sender = tx;
    DropProbe probe([&] { (void)sender.is_closed(); });
    {
      wb::Waker first = probe.waker();
      wb::Context cx(first);
      REQUIRE(rx.poll(cx).is_pending());
    }
    rx.close();
    require_released_outside_the_lock(probe);
  }
}

TEST_CASE("mpsc lets go of the receiver's and a blocked sender's wakers outside its lock") {
  SECTION("the receiver's waker, replaced") {
    auto [tx, rx] = wb::mpsc::channel<int>(1);
    auto& sender = tx;
    DropProbe probe([&] { (void)sender.is_closed(); });
    auto recv = rx.recv();
    poll_then_replace_waker(recv, probe);
    require_released_outside_the_lock(probe);
  }
  SECTION("the receiver's waker, when the receiver is dropped") {
    auto [tx, rx] = wb::mpsc::channel<int>(1);
    auto& sender = tx;
    DropProbe probe([&] { (void)sender.is_closed(); });
    {
      auto receiver = std::move(rx);
      wb::Waker first = probe.waker();
      wb::Context cx(first);
      REQUIRE(receiver.poll_recv(cx).is_pending());
    }
    require_released_outside_the_lock(probe);
  }
  SECTION("a blocked sender's waker, replaced") {
    auto [tx, rx] = wb::mpsc::channel<int>(1);
    auto& sender = tx;
    REQUIRE(tx.try_send(1));
    DropProbe probe([&] { (void)sender.is_closed(); });
    auto send = tx.send(2);
    poll_then_replace_waker(send, probe);
    require_released_outside_the_lock(probe);
  }
}

TEST_CASE("broadcast and watch replace a waiting receiver's waker outside their lock") {
  SECTION("broadcast") {
    auto [tx, rx] = wb::broadcast::channel<int>(2);
    auto& sender = tx;
    DropProbe probe([&] { (void)sender.receiver_count(); });
    auto recv = rx.recv();
    poll_then_replace_waker(recv, probe);
    require_released_outside_the_lock(probe);
  }
  SECTION("watch") {
    auto [tx, rx] = wb::watch::channel<int>(0);
    auto& sender = tx;
    DropProbe probe([&] { (void)sender.receiver_count(); });
    auto changed = rx.changed();
    poll_then_replace_waker(changed, probe);
    require_released_outside_the_lock(probe);
  }
}

namespace {
/// A child that never finishes and keeps the newest waker it was polled with.
struct KeepsItsWaker {
  using Output = int;
  std::shared_ptr<std::optional<wb::Waker>> kept;
  wb::Poll<int> poll(wb::Context& cx) {
    *kept = cx.waker();
    return wb::pending;
  }
};
}  // namespace

TEST_CASE("FuturesUnordered replaces its own waker outside the lock its children's wakes take") {
  std::vector<std::shared_ptr<std::optional<wb::Waker>>> kept;
  for (int i = 0; i < 4; ++i) kept.push_back(std::make_shared<std::optional<wb::Waker>>());
  std::atomic<std::size_t> next_child{0};
  std::atomic<bool> probing{false};  // from the replacing poll on
  // Waking a child that is not queued yet takes the set's lock; each probe wakes another child,
  // and only once the waker is being replaced (the wake of a child wakes the set's waker, whose
  // clone is released in turn, which would wake them all before that).
  DropProbe probe([&] {
    if (!probing) return;
    std::size_t const child = next_child++;
    if (child < kept.size() && *kept[child]) (*kept[child])->wake_by_ref();
  });
  {
    wb::FuturesUnordered<KeepsItsWaker> set;
    for (auto const& slot : kept) set.push(KeepsItsWaker{slot});
    auto next = set.next();
    {
      wb::Waker first = probe.waker();
      wb::Context cx(first);
      REQUIRE(next.poll(cx).is_pending());
    }
    REQUIRE(probe.live_handles() == 1);
    probing = true;
    wb::Context cx(wb::Waker::noop());
    REQUIRE(next.poll(cx).is_pending());
    require_released_outside_the_lock(probe);
  }
}
