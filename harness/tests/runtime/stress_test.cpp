// Stress: the channels and locks under real contention on the multi-threaded executor —
// hundreds of thousands of messages between several producer and consumer tasks, none lost and
// none duplicated, and a mutex that never lets two holders in. Run under ThreadSanitizer (the
// tsan preset) these also prove the absence of data races in the primitives themselves.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "wb/core/yield_now.hpp"
#include "wb/exec/runtime.hpp"
#include "wb/sync/broadcast.hpp"
#include "wb/sync/mpsc.hpp"
#include "wb/sync/mutex.hpp"
#include "wb/sync/oneshot.hpp"
#include "wb/sync/semaphore.hpp"
#include "wb/task/join_handle.hpp"
#include "wb/task/spawn.hpp"
#include "wb/task/task.hpp"
#include "wb/testing/catch.hpp"

namespace {

constexpr int workers = 4;

/// A message that says who sent it and which of theirs it is.
struct Message {
  int producer;
  int sequence;
};

wb::Runtime pool() { return wb::Runtime::builder().worker_threads(workers).build(); }

template <class Sender>
wb::Task<void> produce(Sender tx, int producer, int count) {
  for (int i = 0; i < count; ++i) {
    auto sent = co_await tx.send(Message{producer, i});
    if (!sent) throw std::runtime_error("a send failed while the receiver was alive");
  }
}

}  // namespace

TEST_CASE(
    "four producers send 200000 messages through a small bounded channel and all arrive in order") {
  constexpr int producers = 4;
  constexpr int per_producer = 50'000;
  auto runtime = pool();
  auto next = runtime.block_on([]() -> wb::Task<std::vector<int>> {
    auto [tx, rx] = wb::mpsc::channel<Message>(64);
    std::vector<wb::JoinHandle<void>> sending;
    for (int p = 0; p < producers; ++p) sending.push_back(wb::spawn(produce(tx, p, per_producer)));
    { auto last = std::move(tx); }  // the channel closes when the producers are done
    auto consumer = wb::spawn([](wb::mpsc::Receiver<Message> rx) -> wb::Task<std::vector<int>> {
      std::vector<int> next(producers, 0);  // the sequence number expected next from each
      while (auto message = co_await rx.recv()) {
        if (message->sequence != next[message->producer]) {
          throw std::runtime_error("a message was lost, duplicated or overtaken");
        }
        ++next[message->producer];
      }
      co_return next;
    }(std::move(rx)));
    for (auto& producer : sending) co_await producer;
    co_return co_await consumer;
  }());
  CHECK(next == std::vector<int>(producers, per_producer));
}

TEST_CASE("three consumers sharing one receiver through a mutex take every message exactly once") {
  constexpr int producers = 4;
  constexpr int per_producer = 25'000;
  auto runtime = pool();
  auto seen = runtime.block_on([]() -> wb::Task<std::vector<std::uint8_t>> {
    auto [tx, rx] = wb::mpsc::channel<Message>(16);
    auto shared_rx = std::make_shared<wb::Mutex<wb::mpsc::Receiver<Message>>>(std::move(rx));
    auto seen = std::make_shared<std::vector<std::atomic<std::uint8_t>>>(producers * per_producer);
    std::vector<wb::JoinHandle<void>> tasks;
    for (int p = 0; p < producers; ++p) tasks.push_back(wb::spawn(produce(tx, p, per_producer)));
    { auto last = std::move(tx); }
    for (int c = 0; c < 3; ++c) {
      tasks.push_back(wb::spawn(
          [](std::shared_ptr<wb::Mutex<wb::mpsc::Receiver<Message>>> rx,
             std::shared_ptr<std::vector<std::atomic<std::uint8_t>>> seen) -> wb::Task<void> {
            for (;;) {
              auto receiver = co_await rx->lock();  // one consumer at the receiver at a time
              auto message = co_await receiver->recv();
              if (!message) co_return;  // closed and drained
              (*seen)[message->producer * per_producer + message->sequence].fetch_add(1);
            }
          }(shared_rx, seen)));
    }
    for (auto& task : tasks) co_await task;
    std::vector<std::uint8_t> counts;
    for (auto& count : *seen) counts.push_back(count.load());
    co_return counts;
  }());
  auto wrong = std::count_if(seen.begin(), seen.end(), [](std::uint8_t n) { return n != 1; });
  CHECK(wrong == 0);
}

TEST_CASE("unbounded senders on every worker lose nothing") {
  constexpr int producers = 4;
  constexpr int per_producer = 25'000;
  auto runtime = pool();
  long total = runtime.block_on([]() -> wb::Task<long> {
    auto [tx, rx] = wb::mpsc::unbounded_channel<int>();
    for (int p = 0; p < producers; ++p) {
      wb::spawn([](wb::mpsc::UnboundedSender<int> tx) -> wb::Task<void> {
        for (int i = 1; i <= per_producer; ++i) {
          if (!tx.send(i)) throw std::runtime_error("send failed");
          if (i % 1000 == 0) co_await wb::yield_now();
        }
      }(tx))
          .detach();
    }
    { auto last = std::move(tx); }
    long total = 0;
    while (auto message = co_await rx.recv()) total += *message;
    co_return total;
  }());
  CHECK(total == producers * (long{per_producer} * (per_producer + 1) / 2));
}

TEST_CASE("broadcast receivers on other workers each see every message or count it as lagged") {
  constexpr int messages = 20'000;
  auto runtime = pool();
  auto accounted = runtime.block_on([]() -> wb::Task<std::vector<std::uint64_t>> {
    auto [tx, first] = wb::broadcast::channel<int>(32);
    std::vector<wb::JoinHandle<std::uint64_t>> receivers;
    auto receive = [](wb::broadcast::Receiver<int> rx) -> wb::Task<std::uint64_t> {
      std::uint64_t accounted = 0;
      int last = -1;
      for (;;) {
        auto message = co_await rx.recv();
        if (message) {
          if (*message <= last)
            throw std::runtime_error("a broadcast message came twice or out of order");
          last = *message;
          ++accounted;
        } else if (message.error().is_lagged()) {
          accounted += message.error().skipped();
        } else {
          co_return accounted;
        }
      }
    };
    receivers.push_back(wb::spawn(receive(tx.subscribe())));
    receivers.push_back(wb::spawn(receive(tx.subscribe())));
    receivers.push_back(wb::spawn(receive(std::move(first))));
    for (int i = 0; i < messages; ++i) {
      (void)tx.send(i);
      if (i % 64 == 0) co_await wb::yield_now();
    }
    { auto last = std::move(tx); }
    std::vector<std::uint64_t> accounted;
    for (auto& receiver : receivers) accounted.push_back(co_await receiver);
    co_return accounted;
  }());
  CHECK(accounted == std::vector<std::uint64_t>(3, messages));
}

TEST_CASE("a contended mutex never lets two holders in") {
  constexpr int tasks = 8;
  constexpr int rounds = 5'000;
  struct Counted {
    long plain = 0;  // no atomics: a second holder would be a data race ThreadSanitizer sees
  };
  auto runtime = pool();
  auto holders = std::make_shared<std::atomic<int>>(0);
  auto overlaps = std::make_shared<std::atomic<int>>(0);
  long count = runtime.block_on([](std::shared_ptr<std::atomic<int>> holders,
                                   std::shared_ptr<std::atomic<int>> overlaps) -> wb::Task<long> {
    auto mutex = std::make_shared<wb::Mutex<Counted>>();
    std::vector<wb::JoinHandle<void>> handles;
    for (int t = 0; t < tasks; ++t) {
      handles.push_back(wb::spawn([](std::shared_ptr<wb::Mutex<Counted>> mutex,
                                     std::shared_ptr<std::atomic<int>> holders,
                                     std::shared_ptr<std::atomic<int>> overlaps) -> wb::Task<void> {
        for (int i = 0; i < rounds; ++i) {
          auto guard = co_await mutex->lock();
          if (holders->fetch_add(1) != 0) overlaps->fetch_add(1);
          ++guard->plain;
          if (i % 50 == 0) co_await wb::yield_now();  // held across a suspension now and then
          holders->fetch_sub(1);
        }
      }(mutex, holders, overlaps)));
    }
    for (auto& handle : handles) co_await handle;
    co_return (co_await mutex->lock())->plain;
  }(holders, overlaps));
  CHECK(overlaps->load() == 0);
  CHECK(count == long{tasks} * rounds);
}

TEST_CASE("a semaphore of three permits never has four holders under contention") {
  constexpr int tasks = 8;
  constexpr int rounds = 3'000;
  auto runtime = pool();
  auto most = runtime.block_on([]() -> wb::Task<int> {
    auto semaphore = std::make_shared<wb::Semaphore>(3);
    auto holders = std::make_shared<std::atomic<int>>(0);
    auto most = std::make_shared<std::atomic<int>>(0);
    std::vector<wb::JoinHandle<void>> handles;
    for (int t = 0; t < tasks; ++t) {
      handles.push_back(wb::spawn([](std::shared_ptr<wb::Semaphore> semaphore,
                                     std::shared_ptr<std::atomic<int>> holders,
                                     std::shared_ptr<std::atomic<int>> most) -> wb::Task<void> {
        for (int i = 0; i < rounds; ++i) {
          auto permit = co_await semaphore->acquire_owned();
          int now = holders->fetch_add(1) + 1;
          int seen = most->load();
          while (now > seen && !most->compare_exchange_weak(seen, now)) {
          }
          if (i % 20 == 0) co_await wb::yield_now();
          holders->fetch_sub(1);
        }
      }(semaphore, holders, most)));
    }
    for (auto& handle : handles) co_await handle;
    co_return most->load();
  }());
  CHECK(most <= 3);
  CHECK(most >= 2);  // with eight tasks on four workers, permits are shared at once
}

TEST_CASE("oneshot replies cross worker threads ten thousand times") {
  constexpr int requests = 10'000;
  auto runtime = pool();
  long sum = runtime.block_on([]() -> wb::Task<long> {
    auto [tx, rx] = wb::mpsc::channel<std::pair<int, wb::oneshot::Sender<int>>>(8);
    wb::spawn(
        [](wb::mpsc::Receiver<std::pair<int, wb::oneshot::Sender<int>>> rx) -> wb::Task<void> {
          while (auto request = co_await rx.recv()) (void)request->second.send(request->first * 2);
        }(std::move(rx)))
        .detach();
    long sum = 0;
    for (int i = 0; i < requests; ++i) {
      auto [reply, answer] = wb::oneshot::channel<int>();
      auto sent = co_await tx.send({i, std::move(reply)});
      if (!sent) throw std::runtime_error("the server went away");
      sum += (co_await std::move(answer)).value();
    }
    co_return sum;
  }());
  CHECK(sum == long{requests} * (requests - 1));
}
