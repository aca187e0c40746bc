// TCP over loopback: listening on a port the system picks, accepting many connections, connect
// failures, reset peers, the end of the data, partial writes and split halves — every failure a
// value. Sockets only on 127.0.0.1 (or ::1) with port 0; waits are bounded by hang guards.
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "wb/core/poll_fn.hpp"
#include "wb/exec/runtime.hpp"
#include "wb/io/async_write.hpp"
#include "wb/io/write_all.hpp"
#include "wb/net/tcp_listener.hpp"
#include "wb/net/tcp_stream.hpp"
#include "wb/sync/oneshot.hpp"
#include "wb/task/spawn.hpp"
#include "wb/task/task.hpp"
#include "wb/testing/catch.hpp"
#include "wb/testing/guarded_thread.hpp"
#include "wb/testing/scripted_tcp_client.hpp"
#include "wb/time/timeout.hpp"

using namespace std::chrono_literals;
using wb::IoResult;
using wb::net::SocketAddr;
using wb::net::TcpListener;
using wb::net::TcpStream;

namespace {

// A generous bound on a whole test's work: only a hang ever reaches it.
constexpr auto hang_guard = 60s;

template <class F>
auto run_guarded(wb::Runtime& runtime, F future) {
  auto outcome = runtime.block_on(wb::timeout(hang_guard, std::move(future)));
  REQUIRE(outcome.has_value());  // the work finished before the hang guard
  return std::move(*outcome);
}

TcpListener listen_on_loopback() {
  auto listener = TcpListener::bind(SocketAddr::loopback_v4(0));
  REQUIRE(listener.has_value());
  return std::move(*listener);
}

SocketAddr address_of(TcpListener const& listener) {
  auto addr = listener.local_addr();
  REQUIRE(addr.has_value());
  return *addr;
}

// Writes every byte of `bytes` (the runtime's write_all, with the string kept alive here).
template <class W>
wb::Task<IoResult<void>> write_everything(W& writer, std::string bytes) {
  co_return co_await wb::write_all(writer, std::span<char const>(bytes));
}

// Reads until the end of the data.
template <class R>
wb::Task<IoResult<std::string>> read_to_end(R& reader) {
  std::string all;
  char buffer[4096];
  for (;;) {
    auto got = co_await wb::read(reader, std::span<char>(buffer));
    if (!got) co_return wb::unexpected(got.error());
    if (*got == 0) co_return all;
    all.append(buffer, *got);
  }
}

// ANCHOR: echo_bytes
// Echoes one connection until the client ends its side (or an error ends it).
wb::Task<void> echo(TcpStream stream) {
  char buffer[1024];
  for (;;) {
    auto got = co_await wb::read(stream, std::span<char>(buffer));
    if (!got || *got == 0) co_return;  // an error, or the end of the data
    std::span<char const> received(buffer, *got);
    auto sent = co_await wb::write_all(stream, received);
    if (!sent) co_return;
  }
}
// ANCHOR_END: echo_bytes

}  // namespace

static_assert(wb::AsyncRead<TcpStream>);
static_assert(wb::AsyncRead<wb::net::OwnedReadHalf>);
static_assert(wb::AsyncWrite<TcpStream>);
static_assert(wb::AsyncWrite<wb::net::OwnedWriteHalf>);

TEST_CASE("a listener bound to port 0 says which port the system picked") {
  auto listener = listen_on_loopback();
  auto addr = address_of(listener);
  CHECK(addr.port() != 0);
  CHECK(addr.to_string() == "127.0.0.1:" + std::to_string(addr.port()));
  auto v6 = TcpListener::bind(SocketAddr::loopback_v6(0));
  if (v6) {  // a machine without IPv6 on loopback skips this half
    CHECK(address_of(*v6).to_string().rfind("[::1]:", 0) == 0);
  }
}

TEST_CASE("a socket address reads and prints the way it is written") {
  auto v4 = SocketAddr::parse("127.0.0.1:4000");
  REQUIRE(v4);
  CHECK(v4->to_string() == "127.0.0.1:4000");
  CHECK(v4->port() == 4000);
  auto v6 = SocketAddr::parse("[::1]:80");
  REQUIRE(v6);
  CHECK(v6->is_ipv6());
  CHECK(v6->to_string() == "[::1]:80");
  CHECK_FALSE(SocketAddr::parse("localhost"));
  CHECK_FALSE(SocketAddr::parse("127.0.0.1:99999"));
}

TEST_CASE("a server on two worker threads accepts many connections and echoes each") {
  constexpr int clients = 64;
  auto runtime = wb::Runtime::builder().worker_threads(2).build();
  auto listener = listen_on_loopback();
  auto addr = address_of(listener);
  auto server = runtime.spawn([](TcpListener listener) -> wb::Task<void> {
    for (;;) {
      auto accepted = co_await listener.accept();
      if (!accepted) co_return;
      wb::spawn(echo(std::move(accepted->stream))).detach();
    }
  }(std::move(listener)));
  auto answers = run_guarded(runtime, [](SocketAddr addr) -> wb::Task<std::vector<std::string>> {
    std::vector<wb::JoinHandle<std::string>> handles;
    for (int i = 0; i < clients; ++i) {
      handles.push_back(wb::spawn([](SocketAddr addr, int i) -> wb::Task<std::string> {
        auto stream = co_await TcpStream::connect(addr);
        if (!stream) co_return "connect failed: " + stream.error().message();
        auto sent = co_await write_everything(*stream, "hello " + std::to_string(i) + "\n");
        if (!sent) co_return "write failed: " + sent.error().message();
        (void)stream->shutdown_write();
        auto echoed = co_await read_to_end(*stream);
        if (!echoed) co_return "read failed: " + echoed.error().message();
        co_return *echoed;
      }(addr, i)));
    }
    std::vector<std::string> answers;
    for (auto& handle : handles) answers.push_back(co_await std::move(handle));
    co_return answers;
  }(addr));
  server.abort();
  REQUIRE(answers.size() == clients);
  for (int i = 0; i < clients; ++i) CHECK(answers[i] == "hello " + std::to_string(i) + "\n");
}

TEST_CASE("connecting to a port nobody listens on is refused, as a value") {
  SocketAddr addr = [] {
    auto listener = listen_on_loopback();
    return address_of(listener);
  }();  // the listener is closed again: nobody listens on that port now
  auto runtime = wb::Runtime::builder().build();
  auto stream = run_guarded(runtime, TcpStream::connect(addr));
  REQUIRE_FALSE(stream.has_value());
  CHECK(stream.error() == std::errc::connection_refused);
}

TEST_CASE("a peer that resets the connection makes the read fail with connection_reset") {
  auto runtime = wb::Runtime::builder().build();
  auto listener = listen_on_loopback();
  wb::testing::ScriptedTcpClient client(address_of(listener));
  auto read =
      run_guarded(runtime,
                  [](TcpListener& listener,
                     wb::testing::ScriptedTcpClient& client) -> wb::Task<IoResult<std::string>> {
                    auto accepted = co_await listener.accept();
                    if (!accepted) co_return wb::unexpected(accepted.error());
                    client.send("half a li");
                    client.reset();  // SO_LINGER 0: a reset, not an orderly end
                    co_return co_await read_to_end(accepted->stream);
                  }(listener, client));
  REQUIRE_FALSE(read.has_value());
  CHECK(read.error() == std::errc::connection_reset);
}

TEST_CASE("a read returns 0 at the end of the data once the peer shuts its write side") {
  auto runtime = wb::Runtime::builder().build();
  auto listener = listen_on_loopback();
  wb::testing::ScriptedTcpClient client(address_of(listener));
  client.send_line("last words");
  client.shutdown_write();
  auto all = run_guarded(runtime, [](TcpListener& listener) -> wb::Task<IoResult<std::string>> {
    auto accepted = co_await listener.accept();
    if (!accepted) co_return wb::unexpected(accepted.error());
    CHECK(accepted->peer.to_string().rfind("127.0.0.1:", 0) == 0);
    auto text = co_await read_to_end(accepted->stream);
    if (!text) co_return text;
    char byte;
    auto again = co_await wb::read(accepted->stream, std::span<char>(&byte, 1));
    CHECK(again.has_value());
    CHECK(*again == 0);  // the end stays the end
    co_return text;
  }(listener));
  REQUIRE(all.has_value());
  CHECK(*all == "last words\n");
}

TEST_CASE("a large write goes out in partial writes while the peer reads, and arrives whole") {
  // Deterministic, whatever the machine's speed: the writer's send buffer is fixed at 64 KiB (no
  // autotuning), and the reader starts reading only after the first write has returned, so that
  // first write cannot take all 4 MiB (the peer's receive buffer cannot grow while nobody reads).
  auto runtime = wb::Runtime::builder().worker_threads(2).build();
  auto listener = listen_on_loopback();
  auto addr = address_of(listener);
  std::string payload(4 << 20, '\0');
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>('a' + i % 23);
  struct Counts {
    std::atomic<int> short_or_pending{0};
  };
  auto counts = std::make_shared<Counts>();
  auto received = run_guarded(
      runtime,
      [](TcpListener listener, SocketAddr addr, std::string payload,
         std::shared_ptr<Counts> counts) -> wb::Task<IoResult<std::string>> {
        auto channel = wb::oneshot::channel<int>();
        auto first_write_done = std::move(channel.first);
        auto reader =
            wb::spawn([](TcpListener listener,
                         wb::oneshot::Receiver<int> start) -> wb::Task<IoResult<std::string>> {
              auto accepted = co_await listener.accept();
              if (!accepted) co_return wb::unexpected(accepted.error());
              (void)co_await std::move(start);
              co_return co_await read_to_end(accepted->stream);
            }(std::move(listener), std::move(channel.second)));
        auto stream = co_await TcpStream::connect(addr);
        if (!stream) co_return wb::unexpected(stream.error());
        int const send_buffer = 64 * 1024;
        REQUIRE(::setsockopt(stream->fd(), SOL_SOCKET, SO_SNDBUF, &send_buffer,
                             sizeof send_buffer) == 0);
        std::size_t at = 0;
        while (at < payload.size()) {
          std::span<char const> rest(payload.data() + at, payload.size() - at);
          auto written = co_await wb::poll_fn([&](wb::Context& cx) {
            auto result = stream->poll_write(cx, rest);
            if (result.is_pending() || (result.value() && *result.value() < rest.size())) {
              ++counts->short_or_pending;
            }
            return result;
          });
          if (!written) co_return wb::unexpected(written.error());
          at += *written;
          if (!first_write_done.is_closed()) (void)first_write_done.send(1);
        }
        (void)stream->shutdown_write();
        co_return co_await std::move(reader);
      }(std::move(listener), addr, payload, counts));
  REQUIRE(received.has_value());
  CHECK(received->size() == payload.size());
  CHECK(*received == payload);
  CHECK(counts->short_or_pending > 0);
}

TEST_CASE("the halves of a split stream read and write from two tasks at once") {
  auto runtime = wb::Runtime::builder().worker_threads(2).build();
  auto listener = listen_on_loopback();
  auto addr = address_of(listener);
  auto server = runtime.spawn([](TcpListener listener) -> wb::Task<void> {
    auto accepted = co_await listener.accept();
    if (accepted) co_await echo(std::move(accepted->stream));
  }(std::move(listener)));
  auto echoed = run_guarded(runtime, [](SocketAddr addr) -> wb::Task<IoResult<std::string>> {
    auto stream = co_await TcpStream::connect(addr);
    if (!stream) co_return wb::unexpected(stream.error());
    CHECK(stream->set_nodelay(true).has_value());
    CHECK(stream->nodelay().value());
    CHECK(stream->peer_addr().value() == addr);
    auto [reader, writer] = std::move(*stream).into_split();
    auto reading = wb::spawn([](wb::net::OwnedReadHalf reader) -> wb::Task<IoResult<std::string>> {
      co_return co_await read_to_end(reader);
    }(std::move(reader)));
    std::string text;
    for (int i = 0; i < 100; ++i) text += "line " + std::to_string(i) + "\n";
    auto sent = co_await write_everything(writer, text);
    if (!sent) co_return wb::unexpected(sent.error());
    { auto done = std::move(writer); }  // dropping the write half ends the write direction
    co_return co_await std::move(reading);
  }(addr));
  REQUIRE(echoed.has_value());
  CHECK(echoed->size() == 100 * std::string("line 00\n").size() - 10);
  CHECK(echoed->rfind("line 99\n") == echoed->size() - 8);
  runtime.block_on(std::move(server));
}

TEST_CASE("a connect that cannot finish in time ends with timed_out, as a value") {
  // A listener whose backlog is full never completes a handshake: with backlog 0 the second
  // and later connects wait. Virtual time makes the limit pass at once.
  auto runtime = wb::Runtime::builder().virtual_time().build();
  auto listener = TcpListener::bind(SocketAddr::loopback_v4(0), 0);
  REQUIRE(listener);
  auto addr = address_of(*listener);
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    (void)::connect(fd, addr.raw(), addr.raw_size());
    fillers.push_back(fd);
  }
  auto start = runtime.now();
  auto stream = runtime.block_on(wb::net::connect_within(addr, 5s));
  if (!stream.has_value()) {
    CHECK(stream.error() == std::errc::timed_out);
    CHECK(runtime.now() - start == 5s);
  } else {
    WARN("this kernel completed a connect beyond the backlog; the timeout was not exercised");
  }
  for (int fd : fillers) ::close(fd);
}
