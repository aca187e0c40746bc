// Integration tests for the client session: the whole server (chat_server.hpp's serve, your
// registry and session) on 127.0.0.1 with a port the system picks, and real TCP clients.
// Most tests run the server on two worker threads and talk to it with plain blocking clients
// (wb::testing::ScriptedTcpClient) whose every wait is bounded by a hang guard. The tests that
// are about time (idle timeout, lag, rate limit) run server and clients as tasks of one runtime
// on virtual time, so that 500 seconds pass in microseconds and always the same way.
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chat_config.hpp>
#include <chat_metrics.hpp>
#include <chat_server.hpp>
#include <chrono>
#include <client_session.hpp>
#include <cstring>
#include <memory>
#include <optional>
#include <room_registry.hpp>
#include <span>
#include <sstream>
#include <string>
#include <utility>
#include <vector>
#include <wb/exec/runtime.hpp>
#include <wb/io/buf_reader.hpp>
#include <wb/io/read_line.hpp>
#include <wb/io/write_all.hpp>
#include <wb/net/tcp_listener.hpp>
#include <wb/net/tcp_stream.hpp>
#include <wb/signal/shutdown_trigger.hpp>
#include <wb/testing/catch.hpp>
#include <wb/testing/scripted_tcp_client.hpp>
#include <wb/time/sleep.hpp>
#include <wb/time/timeout.hpp>
#include <wb/time/timer_driver.hpp>

using namespace std::chrono_literals;
using wb::net::SocketAddr;
using wb::testing::ScriptedTcpClient;

namespace {

// Hang guards, not timings: a correct server answers in microseconds.
constexpr std::chrono::milliseconds patience = 4s;

chat::ChatConfig test_config() {
  chat::ChatConfig config;
  config.rate_limit = 0;  // the rate limit has a test of its own
  config.drain_timeout = 500ms;
  return config;
}

void require_started();

/// serve(...) on a runtime with two worker threads, for as long as it exists.
class RunningChat {
 public:
  explicit RunningChat(chat::ChatConfig config = test_config())
      : runtime_(wb::Runtime::builder().worker_threads(2).build()),
        metrics_(std::make_shared<chat::ChatMetrics>()) {
    require_started();
    auto listener = wb::net::TcpListener::bind(SocketAddr::loopback_v4(0));
    REQUIRE(listener.has_value());
    auto addr = listener->local_addr();
    REQUIRE(addr.has_value());
    address_.emplace(*addr);
    chat::InMemoryRoomRegistry registry(chat::RegistryConfig{config.room_capacity, config.history});
    server_.emplace(
        runtime_.spawn(chat::serve(std::move(*listener), registry, config, shutdown_, metrics_)));
  }
  ~RunningChat() {
    if (server_) server_->abort();
  }
  SocketAddr address() const { return *address_; }
  chat::ChatMetrics const& metrics() const { return *metrics_; }

  /// Triggers the shutdown; true if serve() returned within `limit`.
  bool shut_down(std::chrono::milliseconds limit = patience) {
    shutdown_.trigger();
    auto handle = std::move(*server_);
    server_.reset();
    auto abort = handle.abort_handle();
    auto ended = runtime_.block_on(wb::timeout(limit, std::move(handle)));
    if (!ended) abort.abort();
    return ended.has_value();
  }

 private:
  wb::Runtime runtime_;
  std::shared_ptr<chat::ChatMetrics> metrics_;
  wb::signal::ShutdownTrigger shutdown_;
  std::optional<SocketAddr> address_;
  std::optional<wb::JoinHandle<void>> server_;
};

std::string show(std::vector<std::string> const& lines) {
  std::string text;
  for (auto const& line : lines) text += "\n    " + line;
  return lines.empty() ? " (none)" : text;
}

bool has_line(std::vector<std::string> const& lines, std::string const& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

/// The lines a client reads up to and including the first for which `done` is true; `found`
/// tells whether it came, `trouble` what happened instead.
template <class Done>
std::vector<std::string> read_until(ScriptedTcpClient& client, Done done, bool& found,
                                    std::string& trouble) {
  std::vector<std::string> lines;
  found = false;
  try {
    while (auto line = client.read_line()) {
      lines.push_back(*line);
      if (done(*line)) {
        found = true;
        return lines;
      }
    }
    trouble = "the server closed the connection";
  } catch (std::exception const& error) {
    trouble = error.what();
  }
  return lines;
}

std::vector<std::string> read_until_line(ScriptedTcpClient& client, std::string const& wanted,
                                         bool& found, std::string& trouble) {
  return read_until(
      client, [&](std::string const& line) { return line == wanted; }, found, trouble);
}

bool starts_with(std::string const& text, std::string const& prefix) {
  return text.rfind(prefix, 0) == 0;
}

/// Connects and reads up to the welcome line (after which the client is in #general).
ScriptedTcpClient connect_client(RunningChat const& chat) {
  ScriptedTcpClient client(chat.address(), patience);
  bool found = false;
  std::string trouble;
  auto lines = read_until(
      client, [](std::string const& line) { return starts_with(line, "[server] welcome"); }, found,
      trouble);
  INFO(
      "a client connected and waited for its \"[server] welcome, you are guest-N in #general "
      "...\" line; it read:"
      << show(lines) << "\nand then: " << trouble);
  REQUIRE(found);
  return client;
}

/// Sends /who and reads up to its answer: once it is back, every line sent before was handled.
std::vector<std::string> sync(ScriptedTcpClient& client, std::string const& room = "#general") {
  client.send_line("/who");
  bool found = false;
  std::string trouble;
  auto lines = read_until(
      client, [&](std::string const& line) { return starts_with(line, "[server] in " + room); },
      found, trouble);
  INFO("a client sent /who and waited for \"[server] in "
       << room << ": ...\"; it read:" << show(lines) << "\nand then: " << trouble);
  REQUIRE(found);
  return lines;
}

// ---- Doubles for the tests on virtual time: run_session itself, with no socket ----
// A socket's bytes may reach the other end a moment after they were sent, and virtual time
// jumps as soon as nothing is ready: so the tests about time give the session a reader and a
// writer of their own, which run on the runtime's clock and nothing else.

wb::Instant now() { return wb::TimerDriver::current().now(); }

/// An AsyncRead that hands out each piece of its script at its time (counted from the first
/// read), then stays open and silent: a client that is connected and says nothing.
class ScriptedReader {
 public:
  struct Piece {
    wb::Duration at;
    std::string bytes;
  };
  explicit ScriptedReader(std::vector<Piece> script) : state_(std::make_shared<State>()) {
    state_->script = std::move(script);
  }
  wb::Poll<wb::IoResult<std::size_t>> poll_read(wb::Context& cx, std::span<char> buffer) {
    auto& state = *state_;
    if (!state.start) state.start = now();
    if (state.next >= state.script.size()) return wb::pending;  // silent from now on
    auto& piece = state.script[state.next];
    if (now() < *state.start + piece.at) {
      if (!state.timer) state.timer.emplace(wb::sleep_until(*state.start + piece.at));
      if (state.timer->poll(cx).is_pending()) return wb::pending;
    }
    state.timer.reset();
    std::size_t const n = std::min(buffer.size(), piece.bytes.size() - state.offset);
    std::copy_n(piece.bytes.data() + state.offset, n, buffer.data());
    state.offset += n;
    if (state.offset == piece.bytes.size()) {
      ++state.next;
      state.offset = 0;
    }
    return wb::IoResult<std::size_t>(n);
  }

 private:
  struct State {
    std::vector<Piece> script;
    std::size_t next = 0;
    std::size_t offset = 0;
    std::optional<wb::Instant> start;
    std::optional<wb::Sleep> timer;
  };
  std::shared_ptr<State> state_;
};

/// An AsyncWrite that keeps every line written and the time it was written at.
class RecordingWriter {
 public:
  struct Log {
    std::vector<std::pair<wb::Duration, std::string>> lines;
    std::string partial;
    std::optional<wb::Duration> closed_at;
  };
  explicit RecordingWriter(std::shared_ptr<Log> log) : log_(std::move(log)) {}
  wb::Poll<wb::IoResult<std::size_t>> poll_write(wb::Context&, std::span<char const> bytes) {
    for (char c : bytes) {
      if (c == '\n') {
        log_->lines.emplace_back(now().time_since_epoch(), std::move(log_->partial));
        log_->partial.clear();
      } else {
        log_->partial += c;
      }
    }
    return wb::IoResult<std::size_t>(bytes.size());
  }
  wb::Poll<wb::IoResult<void>> poll_flush(wb::Context&) { return wb::IoResult<void>(); }
  wb::Poll<wb::IoResult<void>> poll_shutdown(wb::Context&) {
    log_->closed_at = now().time_since_epoch();
    return wb::IoResult<void>();
  }

 private:
  std::shared_ptr<Log> log_;
};

/// Calls run_session and the registry's rooms() without running them: a Task does nothing until
/// it is polled, and a function still to be written throws wb::NotStarted right here, in the
/// test, instead of inside a session task of the server.
void require_started() {
  chat::InMemoryRoomRegistry registry;
  auto rooms = registry.rooms();
  auto session = chat::run_session(registry, ScriptedReader({}),
                                   RecordingWriter(std::make_shared<RecordingWriter::Log>()), 0,
                                   std::make_shared<chat::SessionShared>());
}

std::vector<std::string> texts(RecordingWriter::Log const& log) {
  std::vector<std::string> lines;
  for (auto const& line : log.lines) lines.push_back(line.second);
  return lines;
}

double seconds(wb::Duration duration) {
  return std::chrono::duration_cast<std::chrono::duration<double>>(duration).count();
}

/// "500 s", "2.05 s": the short form the messages print.
std::string seconds_text(wb::Duration duration) {
  std::ostringstream text;
  text << seconds(duration) << " s";
  return text.str();
}

}  // namespace

TEST_CASE("two clients in a room see each other and the sender gets no echo") {
  RunningChat chat;
  auto alice = connect_client(chat);
  auto bob = connect_client(chat);
  alice.send_line("hello from alice");
  bool found = false;
  std::string trouble;
  auto seen_by_bob = read_until_line(bob, "[#general] guest-1: hello from alice", found, trouble);
  {
    INFO(
        "guest-1 and guest-2 are both in #general; guest-1 sent \"hello from alice\", and "
        "guest-2 read:"
        << show(seen_by_bob) << "\nand then: " << trouble
        << "\nEvery member of the room gets \"[#general] guest-1: hello from alice\": publish "
           "each line to the room, and write every room message to the client");
    REQUIRE(found);
  }
  bob.send_line("hi from bob");
  auto seen_by_alice = read_until_line(alice, "[#general] guest-2: hi from bob", found, trouble);
  {
    INFO("guest-2 answered \"hi from bob\", and guest-1 read:" << show(seen_by_alice)
                                                               << "\nand then: " << trouble);
    REQUIRE(found);
  }
  INFO("guest-1 sent \"hello from alice\" before guest-2 answered, and guest-1 read:"
       << show(seen_by_alice)
       << "\nThe sender gets no echo of its own line: skip a room message whose origin is this "
          "client's id");
  CHECK_FALSE(has_line(seen_by_alice, "[#general] guest-1: hello from alice"));
}

TEST_CASE("join moves a client and announces it in both rooms") {
  RunningChat chat;
  auto alice = connect_client(chat);
  auto bob = connect_client(chat);
  auto carol = connect_client(chat);
  carol.send_line("/join rust");
  bool found = false;
  std::string trouble;
  auto seen_by_carol = read_until_line(carol, "[server] you are now in #rust", found, trouble);
  {
    INFO("guest-3 sent /join rust and read:" << show(seen_by_carol) << "\nand then: " << trouble);
    REQUIRE(found);
  }
  auto seen_by_alice =
      read_until_line(alice, "[server] guest-3 left #general for #rust", found, trouble);
  {
    INFO("guest-3 moved from #general to #rust; guest-1, in #general, read:"
         << show(seen_by_alice) << "\nand then: " << trouble
         << "\nThe old room hears \"guest-3 left #general for #rust\" (published there before "
            "leaving it)");
    REQUIRE(found);
  }
  alice.send_line("/join #rust");
  auto seen_in_rust = read_until_line(carol, "[server] guest-1 joined #rust", found, trouble);
  {
    INFO("guest-1 then joined #rust; guest-3, already there, read:"
         << show(seen_in_rust) << "\nand then: " << trouble
         << "\nThe new room hears \"guest-1 joined #rust\"");
    REQUIRE(found);
  }
  sync(alice, "#rust");
  bob.send_line("only for general");
  carol.send_line("only for rust");
  auto lines = read_until_line(alice, "[#rust] guest-3: only for rust", found, trouble);
  INFO("guest-1 moved to #rust; guest-3 said \"only for rust\" there, and guest-1 read:"
       << show(lines) << "\nand then: " << trouble);
  REQUIRE(found);
  auto const in_general = sync(bob);
  INFO("guest-2 stayed in #general, and /who there answered: " << in_general.back());
  CHECK(in_general.back() == "[server] in #general: guest-2");
}

TEST_CASE("a client that never reads does not hold up the room") {
  RunningChat chat;
  ScriptedTcpClient stuck(chat.address(), patience);  // guest-1: never reads a byte
  int const small = 4096;
  REQUIRE(::setsockopt(stuck.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small) == 0);
  auto alice = connect_client(chat);  // guest-2
  auto bob = connect_client(chat);    // guest-3
  std::string const filler(4000, 'x');
  constexpr int batches = 80;
  constexpr int per_batch = 50;  // fewer than a room holds: bob, who reads, never lags
  for (int batch = 0; batch < batches; ++batch) {
    for (int i = 0; i < per_batch; ++i) {
      alice.send_line(std::to_string(batch * per_batch + i) + " " + filler);
    }
    std::string const last =
        "[#general] guest-2: " + std::to_string(batch * per_batch + per_batch - 1) + " " + filler;
    bool found = false;
    std::string trouble;
    auto lines = read_until_line(bob, last, found, trouble);
    INFO(
        "a client (guest-1) stayed connected and read nothing; guest-2 sent lines of 4 KB in "
        "batches of "
        << per_batch << ", and guest-3 read each batch. In batch " << batch + 1 << " of " << batches
        << ", guest-3 got " << lines.size() << " lines and then: " << trouble
        << "\nA client that does not read must not slow the room: its lines wait in its own "
           "queue, and when that is full they are dropped for it alone");
    REQUIRE(found);
    REQUIRE(lines.size() == per_batch);
  }
  auto const dropped = chat.metrics().dropped.load();
  {
    INFO("guest-1 read none of the " << batches * per_batch
                                     << " lines of 4 KB sent to its room, and the server "
                                        "counted "
                                     << dropped
                                     << " lines dropped for it. Its queue holds 256 lines: "
                                        "once it is full, a line for that client is dropped "
                                        "(try_send) instead of waited for, so that its session "
                                        "keeps reading its room, its socket and the shutdown");
    CHECK(dropped > 0);
  }
  bool const ended = chat.shut_down();
  INFO("with guest-1 still not reading, the server was told to shut down, and "
       << (ended ? "it ended"
                 : "it was still running " + std::to_string(patience.count()) + " ms later")
       << ". A session stuck in a write to a client that does not read never sees the "
          "shutdown: write through the queue, and give the writer a bounded time to flush");
  CHECK(ended);
}

TEST_CASE("shutdown delivers what is queued and ends the server") {
  RunningChat chat;
  auto alice = connect_client(chat);
  auto bob = connect_client(chat);
  for (int i = 1; i <= 5; ++i) alice.send_line("before the end " + std::to_string(i));
  sync(alice);  // the five lines are in the room
  bool const ended = chat.shut_down();
  {
    INFO("two clients were connected when the shutdown was triggered, and "
         << (ended ? "serve() returned"
                   : "serve() was still running " + std::to_string(patience.count()) + " ms later")
         << ". At the shutdown each session must end: race the stop signal in its select, then "
            "close its queue and let the writer flush it");
    REQUIRE(ended);
  }
  std::vector<std::string> lines;
  std::string trouble;
  try {
    while (auto line = bob.read_line()) lines.push_back(*line);
  } catch (std::exception const& error) {
    trouble = error.what();
  }
  std::vector<std::string> expected;
  for (int i = 1; i <= 5; ++i) {
    expected.push_back("[#general] guest-1: before the end " + std::to_string(i));
  }
  expected.push_back("[server] Server shutting down...");
  INFO(
      "guest-1 said 5 lines, then the server shut down; guest-2 had not read them yet, and "
      "read after that:"
      << show(lines)
      << (trouble.empty() ? "\nand then the end of the data" : "\nand then: " + trouble)
      << "\nEverything queued before the shutdown is delivered, then the notice, then the "
         "connection is closed");
  CHECK(lines == expected);
  CHECK(trouble.empty());
}

TEST_CASE("nick is validated for length and characters and refused when taken") {
  RunningChat chat;
  auto alice = connect_client(chat);
  auto bob = connect_client(chat);
  struct Case {
    std::string line;
    std::string answer;
  };
  std::vector<Case> const cases{
      {"/nick " + std::string(33, 'a'),
       "[server] error: /nick <name>: a name has at most 32 characters, not 33"},
      {"/nick bad!name",
       "[server] error: /nick <name>: a name may hold only letters, digits, _ and -"},
      {"/nick alice", "[server] you are now alice"},
  };
  for (auto const& each : cases) {
    alice.send_line(each.line);
    bool found = false;
    std::string trouble;
    auto lines = read_until(
        alice,
        [](std::string const& line) {
          return starts_with(line, "[server] error") || starts_with(line, "[server] you are now");
        },
        found, trouble);
    INFO("guest-1 sent \"" << each.line << "\" and read:" << show(lines) << "\nand then: "
                           << trouble << "\nThe answer must be \"" << each.answer << "\"");
    REQUIRE(found);
    CHECK(lines.back() == each.answer);
  }
  bob.send_line("/nick alice");
  bool found = false;
  std::string trouble;
  auto lines = read_until(
      bob,
      [](std::string const& line) {
        return starts_with(line, "[server] error") || starts_with(line, "[server] you are now");
      },
      found, trouble);
  INFO("guest-1 took the name alice; guest-2 then sent /nick alice and read:"
       << show(lines) << "\nand then: " << trouble
       << "\nA name someone has is refused with \"[server] error: the nickname alice is taken\"");
  REQUIRE(found);
  CHECK(lines.back() == "[server] error: the nickname alice is taken");
  auto const who = sync(bob);
  CHECK(who.back() == "[server] in #general: alice, guest-2");
}

TEST_CASE("a line over 8 KiB gets an error and a disconnect") {
  RunningChat chat;
  auto alice = connect_client(chat);
  alice.send_line(std::string(9000, 'y'));
  std::vector<std::string> lines;
  std::string trouble;
  try {
    while (auto line = alice.read_line()) lines.push_back(*line);
  } catch (std::exception const& error) {
    trouble = error.what();
  }
  INFO("a client sent a line of 9000 bytes and read:"
       << show(lines)
       << (trouble.empty() ? "\nand then the end of the data" : "\nand then: " + trouble)
       << "\nA line longer than 8192 bytes gets \"[server] error: a line may have at most 8192 "
          "bytes; disconnecting\" and the connection is closed: read_line with a max length "
          "says line_too_long, and nothing is buffered past it");
  REQUIRE(trouble.empty());
  REQUIRE_FALSE(lines.empty());
  CHECK(lines.back() == "[server] error: a line may have at most 8192 bytes; disconnecting");
}

TEST_CASE("invalid UTF-8 is refused and never broadcast") {
  RunningChat chat;
  auto alice = connect_client(chat);
  auto bob = connect_client(chat);
  alice.send_line("bad \xff\xfe bytes");
  alice.send_line("ring \a the bell");
  alice.send_line("fine");
  bool found = false;
  std::string trouble;
  auto answers = read_until(
      alice,
      [](std::string const& line) { return starts_with(line, "[server] error: the line holds"); },
      found, trouble);
  {
    INFO("guest-1 sent a line with the bytes FF FE, then one with a BEL; it read:"
         << show(answers) << "\nand then: " << trouble);
    REQUIRE(found);
    CHECK(has_line(answers, "[server] error: the line is not valid UTF-8"));
  }
  auto seen = read_until_line(bob, "[#general] guest-1: fine", found, trouble);
  INFO(
      "guest-1 sent an invalid UTF-8 line, a line with a control character, then \"fine\"; "
      "guest-2 read:"
      << show(seen) << "\nand then: " << trouble
      << "\nOnly \"fine\" may reach the room: the others get an error line for their sender");
  REQUIRE(found);
  CHECK(seen.size() == 1);
}

TEST_CASE("the last 20 messages of a room are replayed to a client who joins") {
  RunningChat chat;
  auto alice = connect_client(chat);
  for (int i = 1; i <= 25; ++i) alice.send_line("m" + std::to_string(i));
  sync(alice);
  auto bob = connect_client(chat);
  std::vector<std::string> lines;
  for (int i = 0; i < 20; ++i) {
    auto line = bob.read_line();
    if (!line) break;
    lines.push_back(*line);
  }
  std::vector<std::string> expected;
  for (int i = 6; i <= 25; ++i) expected.push_back("[#general] guest-1: m" + std::to_string(i));
  INFO(
      "guest-1 said m1 to m25 in #general; guest-2 joined after that and its first lines after "
      "the welcome were:"
      << show(lines)
      << "\nThey must be the last 20 said, m6 to m25, oldest first: the room's history, given "
         "to a new member before anything new");
  CHECK(lines == expected);
}

TEST_CASE("a room left empty is no longer listed by rooms") {
  RunningChat chat;
  auto alice = connect_client(chat);
  auto bob = connect_client(chat);
  alice.send_line("/join lonely");
  alice.send_line("/rooms");
  bool found = false;
  std::string trouble;
  auto lines = read_until(
      alice, [](std::string const& line) { return starts_with(line, "[server] rooms: "); }, found,
      trouble);
  {
    INFO("guest-1 joined #lonely and sent /rooms; it read:" << show(lines)
                                                            << "\nand then: " << trouble);
    REQUIRE(found);
    CHECK(lines.back() == "[server] rooms: #general (1), #lonely (1)");
  }
  alice.send_line("/join general");
  bob.send_line("/rooms");
  lines = read_until(
      bob, [](std::string const& line) { return starts_with(line, "[server] rooms: "); }, found,
      trouble);
  // guest-1's move may still be on its way: ask again until it shows.
  for (int tries = 0; found && lines.back() != "[server] rooms: #general (2)" && tries < 50;
       ++tries) {
    sync(alice);
    bob.send_line("/rooms");
    lines = read_until(
        bob, [](std::string const& line) { return starts_with(line, "[server] rooms: "); }, found,
        trouble);
  }
  INFO("guest-1 left #lonely, its only member, for #general; guest-2's /rooms then answered:"
       << show(lines) << "\nand then: " << trouble
       << "\nA room is removed when its last member leaves");
  REQUIRE(found);
  CHECK(lines.back() == "[server] rooms: #general (2)");
}

TEST_CASE("an idle client is dropped exactly at the idle timeout in virtual time") {
  auto runtime = wb::Runtime::builder().virtual_time().build();
  chat::InMemoryRoomRegistry registry;
  auto shared = std::make_shared<chat::SessionShared>();
  shared->config = test_config();
  shared->config.idle_timeout = 300s;
  ScriptedReader reader({{200s, "still here\n"}});
  auto log = std::make_shared<RecordingWriter::Log>();
  auto ended = runtime.block_on(wb::timeout(
      1000s, chat::run_session(registry, std::move(reader), RecordingWriter(log), 1, shared)));
  auto const lines = texts(*log);
  INFO(
      "with an idle timeout of 300 s, a client connected at 0 s, sent \"still here\" at 200 s "
      "and then nothing (virtual time); the session "
      << (ended ? "ended" : "was still running at 1000 s") << ", its client's last line was \""
      << (lines.empty() ? std::string() : lines.back()) << "\" at "
      << seconds_text(log->lines.empty() ? wb::Duration{} : log->lines.back().first)
      << ", and its connection was "
      << (log->closed_at ? "closed at " + seconds_text(*log->closed_at)
                         : std::string("never closed"))
      << ". It must be dropped at 500 s exactly — 300 s after the last line it sent: race "
         "wb::sleep_until(last_heard + idle_timeout) in the select, and set last_heard at "
         "each line");
  REQUIRE(ended.has_value());
  REQUIRE_FALSE(lines.empty());
  CHECK(lines.back() == "[server] no line for 300 s; disconnecting");
  CHECK(log->lines.back().first == std::chrono::duration_cast<wb::Duration>(500s));
  CHECK(log->closed_at == std::optional<wb::Duration>(500s));
}

TEST_CASE("a slow member gets a missed notice and then carries on") {
  auto runtime = wb::Runtime::builder().virtual_time().build();
  chat::InMemoryRoomRegistry registry(chat::RegistryConfig{100, 20});
  auto shared = std::make_shared<chat::SessionShared>();
  shared->config = test_config();
  auto log = std::make_shared<RecordingWriter::Log>();
  auto session = runtime.spawn(
      chat::run_session(registry, ScriptedReader({}), RecordingWriter(log), 1, shared));
  auto drive = [](chat::InMemoryRoomRegistry registry,
                  std::shared_ptr<chat::SessionShared> shared) -> wb::Task<void> {
    co_await wb::sleep(1s);  // the session is in #general and waits
    // 150 messages with no await between: the session cannot run meanwhile; the room holds 100.
    for (int i = 1; i <= 150; ++i) {
      chat::RoomMessage const message{"#general", "robot", "m" + std::to_string(i), 999, 0};
      co_await registry.publish(message);
    }
    co_await wb::sleep(1s);
    chat::RoomMessage const after{"#general", "robot", "after the lag", 999, 0};
    co_await registry.publish(after);
    co_await wb::sleep(1s);
    shared->stop.trigger();
  };
  runtime.block_on(drive(registry, shared));
  auto ended = runtime.block_on(wb::timeout(10s, std::move(session)));
  REQUIRE(ended.has_value());
  auto lines = texts(*log);
  if (!lines.empty()) lines.erase(lines.begin());  // the welcome
  std::vector<std::string> shown(lines.begin(),
                                 lines.begin() + std::min<std::size_t>(3, lines.size()));
  INFO(
      "150 messages went to #general while a member's session could not run (the room holds "
      "100), then one more; the member's client got "
      << lines.size() << " lines after its welcome, the first ones:" << show(shown)
      << "\nIt must get \"[server] you missed 50 messages\", then m51 to m150, then \"after "
         "the lag\": a lag is a notice, and the session carries on");
  REQUIRE(lines.size() == 102);
  CHECK(lines.front() == "[server] you missed 50 messages");
  CHECK(lines[1] == "[#general] robot: m51");
  CHECK(lines.back() == "[#general] robot: after the lag");
  CHECK(shared->metrics->lagged.load() == 1);
}

TEST_CASE("the rate limit refuses lines past the burst with a warning") {
  auto runtime = wb::Runtime::builder().virtual_time().build();
  chat::InMemoryRoomRegistry registry;
  auto shared = std::make_shared<chat::SessionShared>();
  shared->config = test_config();
  shared->config.rate_limit = 20;
  shared->config.burst = 40;
  std::string burst;
  for (int i = 1; i <= 45; ++i) burst += "line " + std::to_string(i) + "\n";
  std::string again;
  for (int i = 1; i <= 25; ++i) again += "more " + std::to_string(i) + "\n";
  ScriptedReader reader({{0s, burst}, {1s, again}, {3s, "/who\n"}, {4s, "/quit\n"}});
  auto log = std::make_shared<RecordingWriter::Log>();
  auto ended = runtime.block_on(wb::timeout(
      100s, chat::run_session(registry, std::move(reader), RecordingWriter(log), 1, shared)));
  REQUIRE(ended.has_value());
  std::vector<wb::Duration> warned_at;
  for (auto const& [at, text] : log->lines) {
    if (text.rfind("[server] slow down", 0) == 0) warned_at.push_back(at);
  }
  std::string times;
  for (auto at : warned_at) times += (times.empty() ? " " : ", ") + seconds_text(at);
  INFO(
      "with a limit of 20 lines a second and a burst of 40, a client sent 45 lines at 0 s and "
      "25 more at 1 s (virtual time); it got "
      << warned_at.size()
      << " \"[server] slow down...\" warnings, at:" << (times.empty() ? " (none)" : times)
      << "\nThe 40 tokens of the full bucket pass the first 40 lines and the last 5 are refused; "
         "by 1 s, 20 tokens have flowed back: 20 of the 25 pass and 5 are refused — 10 "
         "warnings in all, one per refused line");
  CHECK(warned_at.size() == 10);
  CHECK(shared->metrics->rate_limited.load() == 10);
  auto const lines = texts(*log);
  CHECK(has_line(lines, "[server] in #general: guest-1"));
}

TEST_CASE("a piece of a line cut off by the end of the connection goes nowhere") {
  RunningChat chat;
  auto alice = connect_client(chat);
  auto bob = connect_client(chat);
  alice.send("half a li");  // no "\n": then the end of its data, in the same breath
  alice.shutdown_write();
  bool found = false;
  std::string trouble;
  auto seen_by_bob = read_until_line(bob, "[server] guest-1 left #general", found, trouble);
  {
    INFO("guest-1 sent \"half a li\" with no \"\\n\" and closed its side; guest-2 read:"
         << show(seen_by_bob) << "\nand then: " << trouble
         << "\nThe end of a client's data ends its session, which announces that it left");
    REQUIRE(found);
  }
  INFO("guest-1 sent \"half a li\" with no \"\\n\" and closed its side; guest-2 read:"
       << show(seen_by_bob)
       << "\nA piece of a line followed by the end of the data is not a line and goes nowhere: "
          "read_line counts it (a last line without \"\\n\"), so check that the line ends with "
          "\"\\n\" before handling it");
  CHECK_FALSE(has_line(seen_by_bob, "[#general] guest-1: half a li"));
}
