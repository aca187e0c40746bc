// The channels: oneshot, mpsc (bounded with backpressure, unbounded), broadcast (with lagging
// receivers) and watch — what each delivers, how closing shows in the types, and each waiting
// future under the oracles with the other side acting from another thread.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "wb/exec/block_on.hpp"
#include "wb/exec/runtime.hpp"
#include "wb/oracle/oracles.hpp"
#include "wb/sync/broadcast.hpp"
#include "wb/sync/mpsc.hpp"
#include "wb/sync/oneshot.hpp"
#include "wb/sync/watch.hpp"
#include "wb/task/spawn.hpp"
#include "wb/task/task.hpp"
#include "wb/testing/catch.hpp"
#include "wb/testing/drop_probe.hpp"
#include "wb/testing/wake_counter.hpp"

using namespace std::chrono_literals;
using wb::testing::WakeCounter;

namespace {

struct CountedContext {
  std::shared_ptr<WakeCounter> counter = WakeCounter::make();
  wb::Waker waker = counter->waker();
  wb::Context cx{waker};
  std::size_t wakes() const { return counter->wakes(); }
};

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

/// Calls check(oracle) once for each oracle that drives a future to the end.
template <class Check>
void under_every_oracle(Check check) {
  check([](auto f) { return wb::oracle::parking(std::move(f)); });
  check([](auto f) { return wb::oracle::spurious(std::move(f)); });
  check([](auto f) { return wb::oracle::waker_swap(std::move(f)); });
  check([](auto f) { return wb::oracle::threaded(std::move(f)); });
  check([](auto f) { return wb::oracle::after_ready(std::move(f)); });
}

}  // namespace

// --- oneshot ---

TEST_CASE("a oneshot delivers its one value whether it is sent before or after the wait") {
  {
    auto [tx, rx] = wb::oneshot::channel<std::string>();
    REQUIRE(tx.send("early"));
    CHECK(wb::block_on(std::move(rx)).value() == "early");
  }
  {
    auto [tx, rx] = wb::oneshot::channel<std::string>();
    CountedContext context;
    CHECK(rx.poll(context.cx).is_pending());
    REQUIRE(tx.send("late"));
    CHECK(context.wakes() == 1);
    auto result = rx.poll(context.cx);
    REQUIRE(result.is_ready());
    CHECK(result.value().value() == "late");
    CHECK_THROWS_AS(rx.poll(context.cx), wb::ContractViolation);
  }
}

TEST_CASE("a oneshot receiver gets Closed when the sender is dropped without sending") {
  auto [tx, rx] = wb::oneshot::channel<int>();
  CountedContext context;
  CHECK(rx.poll(context.cx).is_pending());
  { auto gone = std::move(tx); }
  CHECK(context.wakes() == 1);
  auto result = rx.poll(context.cx);
  REQUIRE(result.is_ready());
  CHECK_FALSE(result.value().has_value());
}

TEST_CASE("sending on a oneshot whose receiver is gone hands the value back") {
  auto [tx, rx] = wb::oneshot::channel<std::unique_ptr<int>>();
  CHECK_FALSE(tx.is_closed());
  { auto gone = std::move(rx); }
  CHECK(tx.is_closed());
  auto result = tx.send(std::make_unique<int>(5));
  REQUIRE_FALSE(result);
  CHECK(*result.error().value == 5);
}

TEST_CASE("a oneshot sender's closed future is Ready once the receiver is dropped") {
  auto [tx, rx] = wb::oneshot::channel<int>();
  CountedContext context;
  auto closed = tx.closed();
  CHECK(closed.poll(context.cx).is_pending());
  rx.close();
  CHECK(context.wakes() == 1);
  CHECK(closed.poll(context.cx).is_ready());
}

TEST_CASE("a oneshot receiver passes every oracle with the value sent from another thread") {
  under_every_oracle([](auto oracle) {
    auto [tx, rx] = wb::oneshot::channel<int>();
    Later send(20ms, [tx = std::make_shared<wb::oneshot::Sender<int>>(std::move(tx))] {
      (void)tx->send(42);
    });
    CHECK(oracle(std::move(rx)).value.value() == 42);
  });
}

// --- mpsc ---

TEST_CASE("an mpsc channel delivers messages in the order they were sent") {
  auto [tx, rx] = wb::mpsc::channel<int>(8);
  for (int i = 0; i < 5; ++i) REQUIRE(tx.try_send(i));
  for (int i = 0; i < 5; ++i) CHECK(rx.try_recv().value() == i);
  CHECK(rx.try_recv().error() == wb::TryRecvError::empty);
}

TEST_CASE("a full bounded channel makes send wait until the receiver takes a message") {
  auto [tx, rx] = wb::mpsc::channel<int>(2);
  REQUIRE(tx.try_send(1));
  REQUIRE(tx.try_send(2));
  auto full = tx.try_send(3);
  REQUIRE_FALSE(full);
  CHECK(full.error().is_full());
  CHECK(full.error().value == 3);

  CountedContext context;
  auto send = tx.send(3);
  CHECK(send.poll(context.cx).is_pending());  // backpressure: the sender waits
  CHECK(rx.size() == 2);
  CHECK(rx.try_recv().value() == 1);  // room for one: the waiting message moves in
  CHECK(context.wakes() == 1);
  CHECK(send.poll(context.cx).is_ready());
  CHECK(rx.try_recv().value() == 2);
  CHECK(rx.try_recv().value() == 3);
}

TEST_CASE("senders waiting for room are served first come first served") {
  auto [tx, rx] = wb::mpsc::channel<int>(1);
  wb::Context cx(wb::Waker::noop());
  REQUIRE(tx.try_send(0));
  auto first = tx.send(1);
  auto second = tx.send(2);
  CHECK(first.poll(cx).is_pending());
  CHECK(second.poll(cx).is_pending());
  CHECK(tx.try_send(9).error().is_full());  // no overtaking the queue either
  for (int i = 0; i < 3; ++i) CHECK(rx.try_recv().value() == i);
}

TEST_CASE("recv drains what is queued and then says Closed once every sender is gone") {
  auto [tx, rx] = wb::mpsc::channel<int>(4);
  auto copy = tx;
  REQUIRE(tx.try_send(1));
  REQUIRE(copy.try_send(2));
  { auto gone = std::move(tx); }
  CHECK(wb::block_on(rx.recv()).value() == 1);  // one sender left: still open
  { auto gone = std::move(copy); }
  CHECK(wb::block_on(rx.recv()).value() == 2);  // closed, but not drained yet
  auto closed = wb::block_on(rx.recv());
  CHECK_FALSE(closed.has_value());
  CHECK(rx.try_recv().error() == wb::TryRecvError::closed);
}

TEST_CASE("a receiver waiting on an empty channel is woken when the last sender goes") {
  auto [tx, rx] = wb::mpsc::channel<int>(4);
  CountedContext context;
  auto recv = rx.recv();
  CHECK(recv.poll(context.cx).is_pending());
  { auto gone = std::move(tx); }
  CHECK(context.wakes() == 1);
  auto result = recv.poll(context.cx);
  REQUIRE(result.is_ready());
  CHECK_FALSE(result.value().has_value());
}

TEST_CASE("an mpsc send with no receiver fails with the message back") {
  auto [tx, rx] = wb::mpsc::channel<std::string>(4);
  auto [utx, urx] = wb::mpsc::unbounded_channel<std::string>();
  { auto gone = std::move(rx); }
  { auto gone = std::move(urx); }
  CHECK(tx.is_closed());
  auto sent = wb::block_on(tx.send("lost"));
  REQUIRE_FALSE(sent);
  CHECK(sent.error().value == "lost");
  auto unbounded = utx.send("also lost");
  REQUIRE_FALSE(unbounded);
  CHECK(unbounded.error().value == "also lost");
}

TEST_CASE("closing the receiver fails waiting senders but keeps the queued messages") {
  auto [tx, rx] = wb::mpsc::channel<int>(1);
  CountedContext context;
  REQUIRE(tx.try_send(1));
  auto blocked = tx.send(2);
  CHECK(blocked.poll(context.cx).is_pending());
  rx.close();
  CHECK(context.wakes() == 1);
  auto refused = blocked.poll(context.cx);
  REQUIRE(refused.is_ready());
  REQUIRE_FALSE(refused.value().has_value());
  CHECK(refused.value().error().value == 2);
  CHECK(rx.try_recv().value() == 1);
  CHECK(rx.try_recv().error() == wb::TryRecvError::closed);
}

TEST_CASE("a waiting send that is dropped takes its message with it") {
  auto [tx, rx] = wb::mpsc::channel<int>(1);
  wb::Context cx(wb::Waker::noop());
  REQUIRE(tx.try_send(1));
  {
    auto cancelled = tx.send(2);
    CHECK(cancelled.poll(cx).is_pending());
  }
  auto after = tx.send(3);
  CHECK(after.poll(cx).is_pending());
  CHECK(rx.try_recv().value() == 1);
  CHECK(after.poll(cx).is_ready());
  CHECK(rx.try_recv().value() == 3);
}

TEST_CASE("an unbounded channel never makes send wait") {
  auto [tx, rx] = wb::mpsc::unbounded_channel<int>();
  for (int i = 0; i < 10'000; ++i) REQUIRE(tx.send(i));
  CHECK(rx.size() == 10'000);
  { auto gone = std::move(tx); }  // closed: the consumer stops after the last message
  auto runtime = wb::Runtime::builder().build();
  long sum = runtime.block_on([](wb::mpsc::Receiver<int> rx) -> wb::Task<long> {
    long sum = 0;
    while (auto message = co_await rx.recv()) sum += *message;
    co_return sum;
  }(std::move(rx)));
  CHECK(sum == 10'000L * 9'999 / 2);
}

TEST_CASE("producer tasks and a consumer task meet through a small bounded channel") {
  auto runtime = wb::Runtime::builder().build();
  auto received = runtime.block_on([]() -> wb::Task<std::vector<int>> {
    auto [tx, rx] = wb::mpsc::channel<int>(2);
    for (int producer = 0; producer < 3; ++producer) {
      wb::spawn([](wb::mpsc::Sender<int> tx, int producer) -> wb::Task<void> {
        for (int i = 0; i < 100; ++i) {
          auto sent = co_await tx.send(producer * 1000 + i);  // never co_await inside CHECK
          CHECK(sent.has_value());
        }
      }(tx, producer))
          .detach();
    }
    { auto last = std::move(tx); }  // only the producers' copies keep it open now
    std::vector<int> received;
    while (auto message = co_await rx.recv()) received.push_back(*message);
    co_return received;
  }());
  REQUIRE(received.size() == 300);
  // Each producer's messages arrive in the order it sent them.
  std::vector<int> next(3, 0);
  for (int message : received) {
    int producer = message / 1000;
    CHECK(message % 1000 == next[producer]++);
  }
}

TEST_CASE("mpsc recv passes every oracle with a message sent from another thread") {
  under_every_oracle([](auto oracle) {
    auto [tx, rx] = wb::mpsc::channel<int>(1);
    Later send(20ms, [tx = std::move(tx)]() mutable { (void)tx.try_send(7); });
    CHECK(oracle(rx.recv()).value.value() == 7);
  });
}

TEST_CASE("a blocked mpsc send passes every oracle with room made from another thread") {
  under_every_oracle([](auto oracle) {
    auto [tx, rx] = wb::mpsc::channel<int>(1);
    REQUIRE(tx.try_send(1));
    Later take(20ms, [rx = std::make_shared<wb::mpsc::Receiver<int>>(std::move(rx))] {
      (void)rx->try_recv();
    });
    CHECK(oracle(tx.send(2)).value.has_value());
  });
}

// --- broadcast ---

TEST_CASE("every broadcast receiver gets every message") {
  auto [tx, first] = wb::broadcast::channel<std::string>(4);
  auto second = tx.subscribe();
  CHECK(tx.send("a").value() == 2);
  CHECK(tx.send("b").value() == 2);
  for (auto* rx : {&first, &second}) {
    CHECK(wb::block_on(rx->recv()).value() == "a");
    CHECK(wb::block_on(rx->recv()).value() == "b");
    CHECK(rx->try_recv().error().kind == wb::broadcast::TryRecvError::Kind::empty);
  }
}

TEST_CASE("a broadcast receiver that falls behind is told how many it lost and carries on") {
  auto [tx, slow] = wb::broadcast::channel<int>(3);
  for (int i = 0; i < 8; ++i) REQUIRE(tx.send(i));  // the ring keeps 5, 6, 7
  auto lagged = wb::block_on(slow.recv());
  REQUIRE_FALSE(lagged.has_value());
  CHECK(lagged.error().is_lagged());
  CHECK(lagged.error().skipped() == 5);
  for (int i = 5; i < 8; ++i) CHECK(wb::block_on(slow.recv()).value() == i);
}

TEST_CASE("broadcast receivers see Closed after the last sender goes and they read everything") {
  auto [tx, rx] = wb::broadcast::channel<int>(4);
  CountedContext context;
  REQUIRE(tx.send(1));
  CHECK(wb::block_on(rx.recv()).value() == 1);
  auto waiting = rx.recv();
  CHECK(waiting.poll(context.cx).is_pending());
  REQUIRE(tx.send(2));
  CHECK(context.wakes() == 1);
  CHECK(waiting.poll(context.cx).value().value() == 2);
  REQUIRE(tx.send(3));
  { auto gone = std::move(tx); }
  CHECK(wb::block_on(rx.recv()).value() == 3);
  auto closed = wb::block_on(rx.recv());
  REQUIRE_FALSE(closed.has_value());
  CHECK(closed.error().is_closed());
}

TEST_CASE("a broadcast send with no receivers fails and a new subscriber sees only later ones") {
  auto [tx, rx] = wb::broadcast::channel<int>(4);
  { auto gone = std::move(rx); }
  auto refused = tx.send(1);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().value == 1);
  auto late = tx.subscribe();
  REQUIRE(tx.send(2));
  CHECK(wb::block_on(late.recv()).value() == 2);
}

TEST_CASE("broadcast recv passes every oracle with a message sent from another thread") {
  under_every_oracle([](auto oracle) {
    auto [tx, rx] = wb::broadcast::channel<int>(2);
    Later send(20ms, [tx = std::move(tx)]() mutable { (void)tx.send(9); });
    CHECK(oracle(rx.recv()).value.value() == 9);
  });
}

// --- watch ---

TEST_CASE("a watch receiver sees only the latest value") {
  auto [tx, rx] = wb::watch::channel<int>(0);
  CHECK(*rx.borrow() == 0);
  CHECK_FALSE(rx.has_changed().value());
  REQUIRE(tx.send(1));
  REQUIRE(tx.send(2));
  REQUIRE(tx.send(3));
  CHECK(rx.has_changed().value());
  wb::block_on(rx.changed()).value();
  CHECK(*rx.borrow() == 3);  // 1 and 2 were never seen, which is the point
  CHECK_FALSE(rx.has_changed().value());
}

TEST_CASE("watch changed waits for a value newer than the last one seen") {
  auto [tx, rx] = wb::watch::channel<std::string>("initial");
  CountedContext context;
  auto changed = rx.changed();
  CHECK(changed.poll(context.cx).is_pending());
  tx.send_modify([](std::string& value) { value += " and changed"; });
  CHECK(context.wakes() == 1);
  CHECK(changed.poll(context.cx).value().has_value());
  CHECK(*rx.borrow() == "initial and changed");
  auto again = rx.changed();
  CHECK(again.poll(context.cx).is_pending());  // seen already: wait for the next one
}

TEST_CASE("watch changed says Closed once the sender is gone with nothing new to see") {
  auto [tx, rx] = wb::watch::channel<int>(0);
  auto copy = rx;
  REQUIRE(tx.send(1));
  { auto gone = std::move(tx); }
  CHECK(wb::block_on(rx.changed()).has_value());  // the last value is still news
  CHECK_FALSE(wb::block_on(rx.changed()).has_value());
  CHECK(copy.has_changed().error() == wb::Closed{});
  CHECK(*copy.borrow() == 1);
}

TEST_CASE("a watch send with no receiver fails and keeps the old value") {
  auto [tx, rx] = wb::watch::channel<int>(5);
  { auto gone = std::move(rx); }
  auto refused = tx.send(6);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().value == 6);
  CHECK(*tx.borrow() == 5);
  CHECK(tx.send_replace(7) == 5);  // replaces regardless
  CHECK(*tx.subscribe().borrow() == 7);
}

TEST_CASE("watch changed passes every oracle with a value sent from another thread") {
  under_every_oracle([](auto oracle) {
    auto [tx, rx] = wb::watch::channel<int>(0);
    Later send(20ms, [tx = std::move(tx)]() mutable { (void)tx.send(1); });
    CHECK(oracle(rx.changed()).value.has_value());
    CHECK(*rx.borrow() == 1);
  });
}

TEST_CASE("closing a oneshot receiver lets go of its waker while the sender still lives") {
  wb::testing::DropProbe probe([] {});
  auto [tx, rx] = wb::oneshot::channel<int>();
  {
    wb::Waker waker = probe.waker();
    wb::Context cx(waker);
    REQUIRE(rx.poll(cx).is_pending());
  }
  REQUIRE(probe.live_handles() == 1);
  rx.close();
  INFO("after close() the channel still held the receiver's waker, and with it the task");
  CHECK(probe.live_handles() == 0);
  CHECK(tx.is_closed());
}

TEST_CASE("a broadcast recv future that outlives its moved-from receiver is dropped safely") {
  auto [tx, rx] = wb::broadcast::channel<int>(4);
  std::optional<wb::broadcast::Receiver<int>> moved;
  SECTION("never polled") {
    auto recv = rx.recv();
    moved.emplace(std::move(rx));
  }
  SECTION("waiting when its receiver moves") {
    auto recv = rx.recv();
    CountedContext context;
    REQUIRE(recv.poll(context.cx).is_pending());
    moved.emplace(std::move(rx));
  }
  REQUIRE(tx.send(7).value() == 1);  // no waiter left behind in the channel
  CHECK(moved->try_recv().value() == 7);
}

TEST_CASE("a watch changed future that outlives its moved-from receiver is dropped safely") {
  auto [tx, rx] = wb::watch::channel<int>(0);
  std::optional<wb::watch::Receiver<int>> moved;
  SECTION("never polled") {
    auto changed = rx.changed();
    moved.emplace(std::move(rx));
  }
  SECTION("waiting when its receiver moves") {
    auto changed = rx.changed();
    CountedContext context;
    REQUIRE(changed.poll(context.cx).is_pending());
    moved.emplace(std::move(rx));
  }
  REQUIRE(tx.send(7));  // no waiter left behind in the channel
  CHECK(moved->has_changed().value());
  CHECK(*moved->borrow() == 7);
}
