// Tests for the echo server. The first three hand echo_lines in-memory doubles: a reader that
// delivers its bytes in chunks (and can fail at the end) and a writer that takes only 3 bytes per
// write — so what they check does not depend on the machine. The others talk to serve over real
// TCP on 127.0.0.1 (a port the system picks): plain blocking clients
// (wb::testing::ScriptedTcpClient) on the test's thread, the server on a runtime with two worker
// threads. Every wait for an answer is bounded by a hang guard, so a server that never answers
// fails the test instead of stalling it.
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <echo_log.hpp>
#include <echo_server.hpp>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <utility>
#include <vector>
#include <wb/exec/runtime.hpp>
#include <wb/io/chunked_reader.hpp>
#include <wb/net/socket.hpp>
#include <wb/net/tcp_listener.hpp>
#include <wb/testing/catch.hpp>
#include <wb/testing/scripted_tcp_client.hpp>
#include <wb/testing/slow_writer.hpp>
#include <wb/time/timeout.hpp>

using namespace std::chrono_literals;
using wb::net::SocketAddr;
using wb::testing::ScriptedTcpClient;

namespace {

// Hang guards, not timings: a correct server answers in microseconds.
constexpr std::chrono::milliseconds patience = 4s;
constexpr auto whole_run = 8s;

/// serve(listener, log) on a runtime with two worker threads, for as long as it exists.
class RunningServer {
 public:
  RunningServer() : runtime_(wb::Runtime::builder().worker_threads(2).build()) {
    auto listener = wb::net::TcpListener::bind(SocketAddr::loopback_v4(0));
    REQUIRE(listener.has_value());
    auto addr = listener->local_addr();
    REQUIRE(addr.has_value());
    address_.emplace(*addr);
    server_.emplace(runtime_.spawn(serve(std::move(*listener), log_)));
  }
  ~RunningServer() {
    if (server_) server_->abort();
  }
  SocketAddr address() const { return *address_; }
  EchoLog const& log() const { return log_; }

 private:
  EchoLog log_;
  wb::Runtime runtime_;
  std::optional<SocketAddr> address_;
  std::optional<wb::JoinHandle<void>> server_;
};

/// The address a client's connection comes from, as the server sees it: "127.0.0.1:50312".
std::string address_of(ScriptedTcpClient const& client) {
  auto addr = wb::net::Socket::name_of(client.fd(), ::getsockname);
  REQUIRE(addr.has_value());
  return addr->to_string();
}

std::string show(std::vector<std::string> const& lines) {
  std::string text;
  for (auto const& line : lines) text += "\n    " + line;
  return lines.empty() ? " (empty)" : text;
}

bool has_line(std::vector<std::string> const& lines, std::string const& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

/// The client's next line, or what went wrong instead ("" and the reason).
std::optional<std::string> next_line(ScriptedTcpClient& client, std::string& trouble) {
  try {
    auto line = client.read_line();
    if (!line) trouble = "the server closed the connection";
    return line;
  } catch (std::exception const& error) {
    trouble = error.what();
    return std::nullopt;
  }
}

/// An AsyncWrite that forwards to a SlowWriter the test keeps, so it can look at it afterwards.
struct SharedWriter {
  std::shared_ptr<wb::testing::SlowWriter> inner;
  wb::Poll<wb::IoResult<std::size_t>> poll_write(wb::Context& cx, std::span<char const> bytes) {
    return inner->poll_write(cx, bytes);
  }
  wb::Poll<wb::IoResult<void>> poll_flush(wb::Context& cx) { return inner->poll_flush(cx); }
  wb::Poll<wb::IoResult<void>> poll_shutdown(wb::Context& cx) { return inner->poll_shutdown(cx); }
};

/// An AsyncRead that forwards to a ChunkedReader the test keeps.
struct SharedReader {
  std::shared_ptr<wb::ChunkedReader> inner;
  wb::Poll<wb::IoResult<std::size_t>> poll_read(wb::Context& cx, std::span<char> buffer) {
    return inner->poll_read(cx, buffer);
  }
};

/// Runs echo_lines(reader, writer, "test-peer", log) to its end (or the hang guard): true if it
/// returned.
bool run_echo_lines(std::shared_ptr<wb::ChunkedReader> reader,
                    std::shared_ptr<wb::testing::SlowWriter> writer, EchoLog const& log) {
  auto runtime = wb::Runtime::builder().build();
  auto done = runtime.block_on(
      wb::timeout(whole_run, echo_lines(SharedReader{std::move(reader)},
                                        SharedWriter{std::move(writer)}, "test-peer", log)));
  return done.has_value();
}

std::string quoted(std::string const& text) {
  std::string out = "\"";
  for (char c : text) out += c == '\n' ? std::string("\\n") : std::string(1, c);
  return out + "\"";
}

// ANCHOR: explain_echo
/// What is wrong with `written` as the echo of `sent`; empty when nothing is.
std::string explain_echo(std::string const& sent, std::string const& written,
                         std::size_t bytes_per_write) {
  if (written == sent) return "";
  std::string without_newlines = sent;
  without_newlines.erase(std::remove(without_newlines.begin(), without_newlines.end(), '\n'),
                         without_newlines.end());
  std::string const seen = "the client sent " + quoted(sent) + " and got back " + quoted(written);
  if (written == without_newlines) {
    return seen +
           ": every line lost its newline. wb::read_line keeps the \"\\n\" in the line; "
           "wb::lines takes it off, and then it must be put back before the write";
  }
  if (written.size() < sent.size()) {
    return seen + ": the writer took at most " + std::to_string(bytes_per_write) +
           " bytes per write, and " + std::to_string(sent.size() - written.size()) +
           " bytes never went out. One write may take only part of the bytes (a socket with a "
           "full send buffer does the same): wb::write_all goes on until every byte is written";
  }
  return seen + ": each line must come back exactly as it was sent, newline included";
}
// ANCHOR_END: explain_echo

}  // namespace

TEST_CASE("a read error ends that client and logs Disconnected") {
  auto reader =
      std::make_shared<wb::ChunkedReader>(std::vector<std::string>{"hello\n", "half a li"});
  reader->fail_at_end(std::make_error_code(std::errc::connection_reset));
  auto writer = std::make_shared<wb::testing::SlowWriter>(3);
  EchoLog log;
  bool const returned = run_echo_lines(reader, writer, log);
  {
    INFO(
        "the reader gave \"hello\\n\", then \"half a li\", then failed with connection_reset; "
        "echo_lines was still running "
        << std::chrono::duration_cast<std::chrono::seconds>(whole_run).count()
        << " s later. A read error must end the loop");
    REQUIRE(returned);
  }
  auto const lines = log.lines();
  std::vector<std::string> const expected{"[test-peer] Connected", "[test-peer] Disconnected"};
  INFO(
      "the reader gave \"hello\\n\", then \"half a li\", then failed with connection_reset, and "
      "echo_lines returned; the log was:"
      << show(lines)
      << "\nIt must be \"[test-peer] Connected\" then \"[test-peer] Disconnected\": every way out "
         "of the loop — the end of the data, a read error, a write error — passes the one "
         "Disconnected line at the end");
  CHECK(lines == expected);
  INFO(explain_echo("hello\n", writer->written(), 3));
  CHECK(writer->written() == "hello\n");
}

TEST_CASE(
    "every line comes back whole with its newline through a writer that takes 3 bytes at a time") {
  std::string const sent = "hello, world\nsecond line\nthe third and longest line of all\n";
  auto reader = std::make_shared<wb::ChunkedReader>(
      wb::ChunkedReader::split(sent, 5, wb::ChunkedReader::Gap::wake_at_once));
  auto writer = std::make_shared<wb::testing::SlowWriter>(3);
  EchoLog log;
  REQUIRE(run_echo_lines(reader, writer, log));
  auto const problem = explain_echo(sent, writer->written(), 3);
  INFO(problem);
  CHECK(problem.empty());
  std::vector<std::string> const expected{"[test-peer] Connected", "[test-peer] Disconnected"};
  INFO("the log:" << show(log.lines()));
  CHECK(log.lines() == expected);
}

TEST_CASE("a write error ends that client and logs Disconnected") {
  std::string sent;
  for (int i = 0; i < 200; ++i) sent += "line " + std::to_string(i) + "\n";
  auto reader = std::make_shared<wb::ChunkedReader>(wb::ChunkedReader::split(sent, 7));
  auto writer = std::make_shared<wb::testing::SlowWriter>(3);
  writer->fail_after(10, std::make_error_code(std::errc::broken_pipe));
  EchoLog log;
  REQUIRE(run_echo_lines(reader, writer, log));
  std::vector<std::string> const expected{"[test-peer] Connected", "[test-peer] Disconnected"};
  {
    INFO("the writer failed with broken_pipe after 10 bytes; the log was:"
         << show(log.lines()) << "\nA write error ends that client, and it is logged");
    CHECK(log.lines() == expected);
  }
  INFO(
      "the writer failed after 10 bytes, in the second of 200 lines, and echo_lines went on: "
      "the writer was polled "
      << writer->polls()
      << " times in all. A failed write means the client is gone: break out of the loop at the "
         "first one");
  CHECK(writer->polls() < 20);
}

TEST_CASE("50 clients connected at once each get their own lines back") {
  constexpr int clients = 50;
  RunningServer server;
  std::vector<ScriptedTcpClient> connected;
  for (int i = 0; i < clients; ++i) connected.emplace_back(server.address(), patience);
  // Every client sends before any reads: they are all connected and waiting at the same time.
  for (int i = 0; i < clients; ++i)
    connected[i].send_line("client " + std::to_string(i) + " says hello");
  for (int round = 0; round < 2; ++round) {
    std::string const words = round == 0 ? " says hello" : " says goodbye";
    for (int i = 0; i < clients; ++i) {
      std::string const expected = "client " + std::to_string(i) + words;
      std::string trouble;
      auto line = next_line(connected[i], trouble);
      if (!line) {
        FAIL_CHECK(std::to_string(i) + " of the " + std::to_string(clients) +
                   " clients got their line back while all of them were connected; client " +
                   std::to_string(i) + " sent " + quoted(expected + "\n") +
                   " and then: " + trouble +
                   ". The server must serve its clients at the same time: spawn a task for "
                   "each connection (wb::spawn(...).detach()) and go straight back to accept, "
                   "instead of awaiting the client inside the accept loop");
        return;
      }
      INFO("client " << i << " sent " << quoted(expected + "\n") << " and got back "
                     << quoted(*line + "\n")
                     << ": each client must get its own line back, and nobody else's");
      REQUIRE(*line == expected);
      if (round == 0) connected[i].send_line("client " + std::to_string(i) + " says goodbye");
    }
  }
}

TEST_CASE("a client that stops reading does not hold up the others") {
  RunningServer server;
  ScriptedTcpClient stuck(server.address(), patience);
  int const small = 4096;
  REQUIRE(::setsockopt(stuck.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small) == 0);
  // It sends lines as long as the kernel takes them at once, and never reads an echo: the
  // server's writes to it fill every buffer on the way and then wait.
  std::string const chunk = std::string(1023, 'x') + "\n";
  std::size_t sent = 0;
  while (sent < (16u << 20)) {
    ssize_t n = ::send(stuck.fd(), chunk.data(), chunk.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n <= 0) FAIL("sending to the server failed: " << std::strerror(errno));
    sent += static_cast<std::size_t>(n);
  }
  for (int i = 0; i < 2; ++i) {
    ScriptedTcpClient other(server.address(), patience);
    std::string const expected = "another client, number " + std::to_string(i + 1);
    other.send_line(expected);
    std::string trouble;
    auto line = next_line(other, trouble);
    INFO("a client sent " << sent / 1024
                          << " KiB of lines and then read none of the echo, and stayed connected; "
                             "another client then sent "
                          << quoted(expected + "\n")
                          << " and: " << (line ? "got back " + quoted(*line + "\n") : trouble)
                          << ". One client waiting to be written to must not stop the server from "
                             "serving the others: each client needs a task of its own");
    REQUIRE(line == std::optional<std::string>(expected));
  }
  std::string const stuck_address = address_of(stuck);
  stuck.reset();
  bool const logged = server.log().wait_until(
      [&](std::vector<std::string> const& lines) {
        return has_line(lines, "[" + stuck_address + "] Disconnected");
      },
      patience);
  INFO("the client that stopped reading then reset its connection; "
       << patience.count() << " ms later the log still had no \"[" << stuck_address
       << "] Disconnected\". A failed write ends that client (and is logged) just as the end of "
          "the data does. The log:"
       << show(server.log().lines()));
  CHECK(logged);
}

TEST_CASE("a client that resets in the middle of a line is logged and the others are served") {
  RunningServer server;
  std::string address;
  {
    ScriptedTcpClient leaving(server.address(), patience);
    address = address_of(leaving);
    leaving.send_line("first line");
    std::string trouble;
    auto line = next_line(leaving, trouble);
    INFO("the client sent \"first line\\n\" and "
         << (line ? "got back " + quoted(*line + "\n") : trouble));
    REQUIRE(line == std::optional<std::string>("first line"));
    leaving.send("half a li");
    leaving.reset();  // SO_LINGER 0: the server's next read fails with connection_reset
  }
  std::string const disconnected = "[" + address + "] Disconnected";
  bool const logged = server.log().wait_until(
      [&](std::vector<std::string> const& lines) { return has_line(lines, disconnected); },
      patience);
  {
    INFO("the client " << address << " reset its connection in the middle of a line; "
                       << patience.count() << " ms later the log still had no \"" << disconnected
                       << "\". A read error ends that client as the end of the data does, and "
                          "every way out of its loop must log \"Disconnected\". The log:"
                       << show(server.log().lines()));
    REQUIRE(logged);
  }
  auto const lines = server.log().lines();
  INFO("the log:" << show(lines));
  CHECK(std::count(lines.begin(), lines.end(), "[" + address + "] Connected") == 1);
  CHECK(std::count(lines.begin(), lines.end(), disconnected) == 1);

  ScriptedTcpClient next(server.address(), patience);
  next.send_line("still there?");
  std::string trouble;
  auto line = next_line(next, trouble);
  INFO("after that client was gone, another sent \"still there?\\n\" and "
       << (line ? "got back " + quoted(*line + "\n") : trouble)
       << ". An error ends only the client it happened to, never the server");
  CHECK(line == std::optional<std::string>("still there?"));
}
