// The runtime's channels and mutex against Asio and the standard library, in the same run:
//   * mpsc throughput — one producer and one consumer on one thread (wb::mpsc on a LocalExecutor
//     against asio::experimental::channel on io_context(1)), then four producers and one
//     consumer on two threads (wb::mpsc on a ThreadPoolExecutor, asio concurrent_channel on an
//     io_context run by two threads, and a std::mutex + condition_variable queue with a thread
//     per producer and consumer);
//   * oneshot ping-pong — each message carries the sender for its reply (wb::oneshot on one
//     thread; std::promise/std::future between two threads); Asio has no oneshot, so its side is
//     the nearest idiom, two long-lived channels of capacity 1 (and std::promise needs a heap
//     allocation more per round, to carry a promise of a type not yet complete);
//   * a contended mutex — eight tasks taking a lock in turn on two threads (wb::Mutex on a
//     ThreadPoolExecutor; Asio has no async mutex, so a concurrent_channel of capacity 1 used as
//     one; and std::mutex with eight threads).
// It prints the best of several rounds for each and the ratios wb / other (below 1: wb faster).
//
// Build it in Release (-O2, no sanitizers); a number from a Debug build means nothing.
#include <asio.hpp>
#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/channel.hpp>
#include <asio/experimental/concurrent_channel.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "wb/exec/local_executor.hpp"
#include "wb/exec/thread_pool_executor.hpp"
#include "wb/sync/mpsc.hpp"
#include "wb/sync/mutex.hpp"
#include "wb/sync/oneshot.hpp"
#include "wb/task/join_handle.hpp"
#include "wb/task/spawn.hpp"
#include "wb/task/task.hpp"

namespace {

using Clock = std::chrono::steady_clock;
constexpr int messages = 1'000'000;  // one producer, one thread
constexpr int threaded_producers = 4;
constexpr int threaded_messages = 400'000;  // in all, over the producers
constexpr int capacity = 128;
constexpr int round_trips = 100'000;
constexpr int lockers = 8;
constexpr int locks_each = 50'000;
constexpr int threads = 2;
constexpr int rounds = 5;

constexpr long sum_below(long n) { return n * (n - 1) / 2; }

int failures = 0;
void expect(bool ok, char const* what) {
  if (!ok) {
    std::fprintf(stderr, "benchmark check failed: %s\n", what);
    ++failures;
  }
}

// --- mpsc throughput, one thread ---

void wb_mpsc_one_thread() {
  wb::LocalExecutor executor;
  long sum = executor.block_on([]() -> wb::Task<long> {
    auto [tx, rx] = wb::mpsc::channel<int>(capacity);
    auto producer = wb::spawn([](wb::mpsc::Sender<int> tx) -> wb::Task<void> {
      for (int i = 0; i < messages; ++i) (void)co_await tx.send(i);
    }(std::move(tx)));
    auto consumer = wb::spawn([](wb::mpsc::Receiver<int> rx) -> wb::Task<long> {
      long sum = 0;
      while (auto message = co_await rx.recv()) sum += *message;
      co_return sum;
    }(std::move(rx)));
    co_await producer;
    co_return co_await consumer;
  }());
  expect(sum == sum_below(messages), "wb mpsc delivered every message");
}

using AsioChannel = asio::experimental::channel<void(asio::error_code, int)>;
using AsioConcurrentChannel = asio::experimental::concurrent_channel<void(asio::error_code, int)>;

template <class Channel>
asio::awaitable<void> asio_produce(Channel& channel, int from, int count) {
  for (int i = from; i < from + count; ++i) {
    co_await channel.async_send(asio::error_code{}, i, asio::use_awaitable);
  }
}

template <class Channel>
asio::awaitable<void> asio_consume(Channel& channel, int count, long& sum) {
  for (int i = 0; i < count; ++i) sum += co_await channel.async_receive(asio::use_awaitable);
}

void asio_channel_one_thread() {
  asio::io_context io(1);
  AsioChannel channel(io, capacity);
  long sum = 0;
  asio::co_spawn(io, asio_produce(channel, 0, messages), asio::detached);
  asio::co_spawn(io, asio_consume(channel, messages, sum), asio::detached);
  io.run();
  expect(sum == sum_below(messages), "asio channel delivered every message");
}

// --- mpsc throughput, four producers on two threads ---

void wb_mpsc_threaded() {
  wb::ThreadPoolExecutor pool(threads);
  long sum = pool.block_on([]() -> wb::Task<long> {
    auto [tx, rx] = wb::mpsc::channel<int>(capacity);
    std::vector<wb::JoinHandle<void>> producers;
    int const each = threaded_messages / threaded_producers;
    for (int p = 0; p < threaded_producers; ++p) {
      producers.push_back(
          wb::spawn([](wb::mpsc::Sender<int> tx, int from, int count) -> wb::Task<void> {
            for (int i = from; i < from + count; ++i) (void)co_await tx.send(i);
          }(tx, p * each, each)));
    }
    { auto last = std::move(tx); }
    auto consumer = wb::spawn([](wb::mpsc::Receiver<int> rx) -> wb::Task<long> {
      long sum = 0;
      while (auto message = co_await rx.recv()) sum += *message;
      co_return sum;
    }(std::move(rx)));
    for (auto& producer : producers) co_await producer;
    co_return co_await consumer;
  }());
  expect(sum == sum_below(threaded_messages), "wb mpsc (threaded) delivered every message");
}

void asio_channel_threaded() {
  asio::io_context io(threads);
  AsioConcurrentChannel channel(io, capacity);
  long sum = 0;
  int const each = threaded_messages / threaded_producers;
  for (int p = 0; p < threaded_producers; ++p) {
    asio::co_spawn(io, asio_produce(channel, p * each, each), asio::detached);
  }
  asio::co_spawn(io, asio_consume(channel, threaded_messages, sum), asio::detached);
  std::thread helper([&io] { io.run(); });
  io.run();
  helper.join();
  expect(sum == sum_below(threaded_messages), "asio concurrent_channel delivered every message");
}

/// The plain way: a bounded queue under a std::mutex, threads blocking on condition variables.
class BlockingQueue {
 public:
  void push(int value) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return items_.size() < capacity; });
    items_.push_back(value);
    lock.unlock();
    not_empty_.notify_one();
  }
  int pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return !items_.empty(); });
    int value = items_.front();
    items_.pop_front();
    lock.unlock();
    not_full_.notify_one();
    return value;
  }

 private:
  std::mutex mutex_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<int> items_;
};

void std_queue_threaded() {
  BlockingQueue queue;
  long sum = 0;
  constexpr int each = threaded_messages / threaded_producers;
  std::vector<std::thread> producers;
  for (int p = 0; p < threaded_producers; ++p) {
    producers.emplace_back([&queue, p] {
      for (int i = p * each; i < (p + 1) * each; ++i) queue.push(i);
    });
  }
  std::thread consumer([&] {
    for (int i = 0; i < threaded_messages; ++i) sum += queue.pop();
  });
  for (auto& producer : producers) producer.join();
  consumer.join();
  expect(sum == sum_below(threaded_messages), "std queue delivered every message");
}

// --- oneshot ping-pong: every message carries the sender for its answer ---

struct WbPong;
struct WbPing {
  int value;
  wb::oneshot::Sender<WbPong> reply;
};
struct WbPong {
  int value;
  wb::oneshot::Sender<WbPing> next;
};

void wb_oneshot_ping_pong() {
  wb::LocalExecutor executor;
  int last = executor.block_on([]() -> wb::Task<int> {
    auto [first_tx, first_rx] = wb::oneshot::channel<WbPing>();
    auto server = wb::spawn([](wb::oneshot::Receiver<WbPing> requests) -> wb::Task<void> {
      for (;;) {
        auto ping = co_await std::move(requests);
        if (!ping) co_return;  // the client is done
        auto [next_tx, next_rx] = wb::oneshot::channel<WbPing>();
        (void)ping->reply.send(WbPong{ping->value + 1, std::move(next_tx)});
        requests = std::move(next_rx);
      }
    }(std::move(first_rx)));
    wb::oneshot::Sender<WbPing> to_server = std::move(first_tx);
    int value = 0;
    for (int i = 0; i < round_trips; ++i) {
      auto [reply_tx, reply_rx] = wb::oneshot::channel<WbPong>();
      (void)to_server.send(WbPing{value, std::move(reply_tx)});
      auto pong = co_await std::move(reply_rx);
      value = pong->value;
      to_server = std::move(pong->next);
    }
    { auto done = std::move(to_server); }
    co_await server;
    co_return value;
  }());
  expect(last == round_trips, "wb oneshot ping-pong completed every round trip");
}

asio::awaitable<void> asio_pinger(AsioChannel& ping, AsioChannel& pong, int& last) {
  int value = 0;
  for (int i = 0; i < round_trips; ++i) {
    co_await ping.async_send(asio::error_code{}, value, asio::use_awaitable);
    value = co_await pong.async_receive(asio::use_awaitable);
  }
  last = value;
}

asio::awaitable<void> asio_ponger(AsioChannel& ping, AsioChannel& pong) {
  for (int i = 0; i < round_trips; ++i) {
    int value = co_await ping.async_receive(asio::use_awaitable);
    co_await pong.async_send(asio::error_code{}, value + 1, asio::use_awaitable);
  }
}

void asio_channel_ping_pong() {
  asio::io_context io(1);
  AsioChannel ping(io, 1);
  AsioChannel pong(io, 1);
  int last = 0;
  asio::co_spawn(io, asio_pinger(ping, pong, last), asio::detached);
  asio::co_spawn(io, asio_ponger(ping, pong), asio::detached);
  io.run();
  expect(last == round_trips, "asio channel ping-pong completed every round trip");
}

struct StdPong;
struct StdPing {
  int value;
  std::unique_ptr<std::promise<StdPong>> reply;  // a pointer: std::promise needs a complete type
};
struct StdPong {
  int value;
  std::promise<StdPing> next;
};

void std_promise_ping_pong() {
  std::promise<StdPing> first;
  std::future<StdPing> requests = first.get_future();
  std::thread server([&requests] {
    for (int i = 0; i < round_trips; ++i) {
      StdPing ping = requests.get();
      std::promise<StdPing> next;
      requests = next.get_future();
      ping.reply->set_value(StdPong{ping.value + 1, std::move(next)});
    }
  });
  std::promise<StdPing> to_server = std::move(first);
  int value = 0;
  for (int i = 0; i < round_trips; ++i) {
    auto reply = std::make_unique<std::promise<StdPong>>();
    auto answer = reply->get_future();
    to_server.set_value(StdPing{value, std::move(reply)});
    StdPong pong = answer.get();
    value = pong.value;
    to_server = std::move(pong.next);
  }
  server.join();
  expect(value == round_trips, "std::promise ping-pong completed every round trip");
}

// --- a contended mutex ---

void wb_mutex_contended() {
  wb::ThreadPoolExecutor pool(threads);
  long count = pool.block_on([]() -> wb::Task<long> {
    auto mutex = std::make_shared<wb::Mutex<long>>(0);
    std::vector<wb::JoinHandle<void>> tasks;
    for (int t = 0; t < lockers; ++t) {
      tasks.push_back(wb::spawn([](std::shared_ptr<wb::Mutex<long>> mutex) -> wb::Task<void> {
        for (int i = 0; i < locks_each; ++i) {
          auto guard = co_await mutex->lock();
          ++*guard;
        }
      }(mutex)));
    }
    for (auto& task : tasks) co_await task;
    co_return *co_await mutex->lock();
  }());
  expect(count == long{lockers} * locks_each, "wb::Mutex counted every lock");
}

using AsioLock = asio::experimental::concurrent_channel<void(asio::error_code, int)>;

asio::awaitable<void> asio_locker(AsioLock& lock, long& count) {
  for (int i = 0; i < locks_each; ++i) {
    co_await lock.async_send(asio::error_code{}, 0, asio::use_awaitable);  // waits while held
    ++count;
    lock.try_receive([](asio::error_code, int) {});  // unlock
  }
}

void asio_channel_lock_contended() {
  asio::io_context io(threads);
  AsioLock lock(io, 1);
  long count = 0;
  for (int t = 0; t < lockers; ++t) asio::co_spawn(io, asio_locker(lock, count), asio::detached);
  std::thread helper([&io] { io.run(); });
  io.run();
  helper.join();
  expect(count == long{lockers} * locks_each, "the asio channel lock counted every lock");
}

void std_mutex_contended() {
  std::mutex mutex;
  long count = 0;
  std::vector<std::thread> lockers_threads;
  for (int t = 0; t < lockers; ++t) {
    lockers_threads.emplace_back([&] {
      for (int i = 0; i < locks_each; ++i) {
        std::lock_guard lock(mutex);
        ++count;
      }
    });
  }
  for (auto& thread : lockers_threads) thread.join();
  expect(count == long{lockers} * locks_each, "std::mutex counted every lock");
}

double millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double best_of(std::function<void()> const& fn) {
  fn();  // warm-up
  double best = 1e300;
  for (int round = 0; round < rounds; ++round) {
    auto start = Clock::now();
    fn();
    best = std::min(best, millis(Clock::now() - start));
  }
  return best;
}

struct Contender {
  char const* name;
  std::function<void()> run;
};

struct Case {
  std::string what;
  std::function<void()> wb;
  std::vector<Contender> others;
};

}  // namespace

int main() {
  std::vector<Case> cases = {
      {"mpsc, 1 producer + 1 consumer, 1 thread, 1,000,000 messages",
       wb_mpsc_one_thread,
       {{"asio channel", asio_channel_one_thread}}},
      {"mpsc, 4 producers + 1 consumer, 2 threads, 400,000 messages",
       wb_mpsc_threaded,
       {{"asio concurrent_channel", asio_channel_threaded},
        {"std::mutex+condvar queue", std_queue_threaded}}},
      {"oneshot ping-pong, 100,000 round trips",
       wb_oneshot_ping_pong,
       {{"asio channel(1) pair", asio_channel_ping_pong},
        {"std::promise, 2 threads", std_promise_ping_pong}}},
      {"contended mutex, 8 tasks x 50,000 locks, 2 threads",
       wb_mutex_contended,
       {{"asio channel(1) as lock", asio_channel_lock_contended},
        {"std::mutex, 8 threads", std_mutex_contended}}},
  };
  std::printf("best of %d rounds; ratio = wb / other (below 1.00: wb is faster)\n\n", rounds);
  std::printf("%-62s %9s  %-26s %9s %7s\n", "case", "wb ms", "other", "ms", "ratio");
  for (auto& c : cases) {
    double wb_ms = best_of(c.wb);
    bool first = true;
    for (auto& other : c.others) {
      double other_ms = best_of(other.run);
      std::printf("%-62s %9.2f  %-26s %9.2f %7.2f\n", first ? c.what.c_str() : "", wb_ms,
                  other.name, other_ms, wb_ms / other_ms);
      first = false;
    }
  }
  return failures == 0 ? 0 : 1;
}
