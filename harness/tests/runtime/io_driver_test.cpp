// The epoll driver behind park(): a read woken by data written from another thread, timers and
// I/O in one wait on virtual time (I/O that is ready wins over a jump of the clock; a clock
// waiting on I/O that never comes still moves), and readiness that is cleared only on EAGAIN.
#include "wb/io/io_driver.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <variant>

#include "wb/combinator/select.hpp"
#include "wb/core/poll_fn.hpp"
#include "wb/core/yield_now.hpp"
#include "wb/exec/runtime.hpp"
#include "wb/net/tcp_stream.hpp"
#include "wb/task/spawn.hpp"
#include "wb/task/task.hpp"
#include "wb/testing/catch.hpp"
#include "wb/time/sleep.hpp"
#include "wb/time/timeout.hpp"

using namespace std::chrono_literals;
using wb::net::TcpStream;

namespace {

// Two connected stream sockets: [0] for the runtime, [1] for the test to write into.
struct SocketPair {
  int fds[2] = {-1, -1};
  SocketPair() {
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0);
  }
  ~SocketPair() {
    if (fds[1] >= 0) ::close(fds[1]);
    if (fds[0] >= 0) ::close(fds[0]);
  }
  // The runtime's end as a stream (it owns the fd from then on); call inside the runtime.
  TcpStream take_stream() {
    auto stream = TcpStream::from_fd(std::exchange(fds[0], -1));
    REQUIRE(stream.has_value());
    return std::move(*stream);
  }
  void write_peer(std::string const& text) const {
    REQUIRE(::write(fds[1], text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  }
};

// One read of up to 64 bytes as text; counts its Pending answers.
wb::Task<std::string> read_some(TcpStream& stream, std::shared_ptr<std::atomic<int>> pendings) {
  char buffer[64];
  auto got = co_await wb::poll_fn([&](wb::Context& cx) {
    auto result = stream.poll_read(cx, std::span<char>(buffer));
    if (result.is_pending()) ++*pendings;
    return result;
  });
  if (!got) co_return "error: " + got.error().message();
  co_return std::string(buffer, *got);
}

}  // namespace

TEST_CASE("a read is woken by data written from another thread") {
  for (std::size_t workers : {0, 2}) {
    CAPTURE(workers);
    auto runtime = wb::Runtime::builder().worker_threads(workers).build();
    SocketPair pair;
    auto pendings = std::make_shared<std::atomic<int>>(0);
    std::thread writer([&] {
      while (pendings->load() == 0) std::this_thread::yield();  // the read is waiting now
      pair.write_peer("from another thread");
    });
    auto text = runtime.block_on(
        [](SocketPair& pair, std::shared_ptr<std::atomic<int>> pendings) -> wb::Task<std::string> {
          auto stream = pair.take_stream();
          co_return co_await read_some(stream, pendings);
        }(pair, pendings));
    writer.join();
    CHECK(text == "from another thread");
    CHECK(pendings->load() >= 1);
  }
}

TEST_CASE("on virtual time a read that waits does not hold the clock, and ready data wins") {
  for (std::size_t workers : {0, 2}) {
    CAPTURE(workers);
    auto runtime = wb::Runtime::builder().worker_threads(workers).virtual_time().build();
    auto race = [](SocketPair& pair) -> wb::Task<std::string> {
      auto stream = pair.take_stream();
      auto pendings = std::make_shared<std::atomic<int>>(0);
      auto first = co_await wb::select(read_some(stream, pendings), wb::sleep(10s));
      if (first.index() == 1) co_return "the timer won";
      co_return std::get<0>(first);
    };

    // No data ever comes: the read is registered with epoll, nothing is ready, every thread
    // is idle, so the clock jumps to the timer — at exactly 10 s, at once.
    SocketPair silent;
    auto start = runtime.now();
    CHECK(runtime.block_on(race(silent)) == "the timer won");
    CHECK(runtime.now() - start == 10s);

    // The data is in the socket when the wait begins: the read wins and no time passes.
    SocketPair ready;
    ready.write_peer("already here");
    start = runtime.now();
    CHECK(runtime.block_on(race(ready)) == "already here");
    CHECK(runtime.now() == start);
  }
}

TEST_CASE("on virtual time, data that arrives while a task waits on a timer is taken in first") {
  // A read that has met EAGAIN (registered with epoll) and a sleep of an hour wait together;
  // the data comes from a task on the same runtime just before everyone goes idle, so the
  // zero-timeout epoll_wait before the clock's jump finds it.
  auto runtime = wb::Runtime::builder().virtual_time().build();
  SocketPair pair;
  auto start = runtime.now();
  auto text = runtime.block_on([](SocketPair& pair) -> wb::Task<std::string> {
    auto stream = pair.take_stream();
    auto pendings = std::make_shared<std::atomic<int>>(0);
    auto writer = wb::spawn(
        [](SocketPair& pair, std::shared_ptr<std::atomic<int>> pendings) -> wb::Task<void> {
          while (pendings->load() == 0) co_await wb::yield_now();  // the read waits in epoll now
          pair.write_peer("just in time");
        }(pair, pendings));
    auto first = co_await wb::select(read_some(stream, pendings), wb::sleep(1h));
    co_await std::move(writer);
    if (first.index() == 1) co_return "the timer won";
    co_return std::get<0>(first);
  }(pair));
  CHECK(text == "just in time");
  CHECK(runtime.now() == start);
}

TEST_CASE("readiness stays set until an operation meets EAGAIN, so no edge is needed twice") {
  auto driver = std::make_shared<wb::IoDriver>();
  wb::IoDriver::Enter in(*driver);
  SocketPair pair;
  auto stream = pair.take_stream();
  pair.write_peer("abcdef");
  wb::Context cx(wb::Waker::noop());
  char byte;
  // Registered as ready: the first read needs no event at all.
  auto first = stream.poll_read(cx, std::span<char>(&byte, 1));
  REQUIRE(first.is_ready());
  CHECK(byte == 'a');
  // Taking in the registration's event changes nothing: the rest is read without waiting.
  driver->turn(wb::Duration::zero());
  std::string rest;
  for (;;) {
    auto next = stream.poll_read(cx, std::span<char>(&byte, 1));
    if (next.is_pending()) break;  // EAGAIN: now, and only now, the readiness is cleared
    rest += byte;
  }
  CHECK(rest == "bcdef");
  CHECK(stream.poll_read(cx, std::span<char>(&byte, 1)).is_pending());
  pair.write_peer("g");
  CHECK(driver->turn(5s) == 1);  // the new edge wakes the stored waker
  auto last = stream.poll_read(cx, std::span<char>(&byte, 1));
  REQUIRE(last.is_ready());
  CHECK(byte == 'g');
}

TEST_CASE("an idle multi-threaded runtime sleeps in epoll_wait instead of polling") {
  // Nothing busy-polls: with a read waiting and nothing else to do, the workers go to sleep,
  // and the read is woken by the driver exactly when the data comes.
  auto runtime = wb::Runtime::builder().worker_threads(2).build();
  SocketPair pair;
  auto pendings = std::make_shared<std::atomic<int>>(0);
  std::thread writer([&] {
    while (pendings->load() == 0) std::this_thread::yield();
    std::this_thread::sleep_for(20ms);  // long enough for every thread to go idle
    pair.write_peer("x");
  });
  auto text = runtime.block_on(
      [](SocketPair& pair, std::shared_ptr<std::atomic<int>> pendings) -> wb::Task<std::string> {
        auto stream = pair.take_stream();
        co_return co_await read_some(stream, pendings);
      }(pair, pendings));
  writer.join();
  CHECK(text == "x");
  CHECK(pendings->load() == 1);  // polled once before the data, once after: no spinning
}
