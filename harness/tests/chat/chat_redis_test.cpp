// Chapter 16's chat server with --backend redis://: two (or three) real wb_chat_server processes
// sharing rooms through a redis-server of the test's own, talked to by plain TCP clients. Nothing
// here races the clock: every wait is "until this line comes", bounded by a hang guard, and the
// expiry of a killed server's presence is polled for with a generous limit.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <backend_url.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <optional>
#include <redis_room_backend.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>
#include <wb/net/socket_addr.hpp>
#include <wb/testing/catch.hpp>
#include <wb/testing/redis_server.hpp>
#include <wb/testing/scripted_tcp_client.hpp>

extern char** environ;

using Catch::Matchers::ContainsSubstring;
using wb::testing::RedisServer;
using wb::testing::ScriptedTcpClient;

namespace {

/// How long the test waits for something that should take milliseconds before it calls it a
/// hang: a guard, not a timing assertion.
constexpr auto patience = std::chrono::seconds(60);

/// One wb_chat_server process: its stdout's first line read for the port, its stderr kept in a
/// file, killed (SIGKILL) by the destructor if it is still running.
class ChatProcess {
 public:
  explicit ChatProcess(std::vector<std::string> flags) {
    char stderr_template[] = "/tmp/wb_chat_redis_stderr_XXXXXX";
    int const stderr_fd = ::mkstemp(stderr_template);
    if (stderr_fd < 0) throw std::runtime_error("mkstemp failed");
    ::close(stderr_fd);
    stderr_path_ = stderr_template;
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    std::vector<std::string> args = {WB_CHAT_SERVER};
    args.insert(args.end(), flags.begin(), flags.end());
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path_.c_str(), O_WRONLY, 0);
    int const failed =
        ::posix_spawn(&pid_, args[0].c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    if (failed) {
      ::close(out[0]);
      throw std::runtime_error("could not start " + args[0]);
    }
    stdout_fd_ = out[0];
  }
  ChatProcess(ChatProcess const&) = delete;
  ChatProcess& operator=(ChatProcess const&) = delete;
  ~ChatProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (stdout_fd_ >= 0) ::close(stdout_fd_);
    ::unlink(stderr_path_.c_str());
  }

  /// The next line of its stdout; nothing at its end. Throws after `patience`.
  std::optional<std::string> read_stdout_line() {
    auto const deadline = std::chrono::steady_clock::now() + patience;
    for (;;) {
      auto newline = stdout_.find('\n');
      if (newline != std::string::npos) {
        std::string line = stdout_.substr(0, newline);
        stdout_.erase(0, newline + 1);
        return line;
      }
      if (std::chrono::steady_clock::now() > deadline) {
        throw std::runtime_error("the chat server printed no full line within 60 s; stderr: " +
                                 stderr_text());
      }
      pollfd waiting{stdout_fd_, POLLIN, 0};
      if (::poll(&waiting, 1, 100) <= 0) continue;
      char buffer[1024];
      ssize_t const got = ::read(stdout_fd_, buffer, sizeof buffer);
      if (got <= 0) return std::nullopt;
      stdout_.append(buffer, static_cast<std::size_t>(got));
    }
  }

  /// Reads "listening on 127.0.0.1:PORT" and returns the address.
  wb::net::SocketAddr listening() {
    auto line = read_stdout_line();
    std::string const prefix = "listening on ";
    if (!line || line->rfind(prefix, 0) != 0) {
      throw std::runtime_error("the chat server's first line was \"" + line.value_or("(none)") +
                               "\", not \"listening on ...\"; stderr: " + stderr_text());
    }
    auto address = wb::net::SocketAddr::parse(line->substr(prefix.size()));
    if (!address) throw std::runtime_error("not an address: " + *line);
    return *address;
  }

  void signal(int number) { ::kill(pid_, number); }

  /// Its exit code once it has ended (-signal if a signal ended it). Throws after `patience`.
  int wait_exit() {
    auto const deadline = std::chrono::steady_clock::now() + patience;
    for (;;) {
      int status = 0;
      pid_t const done = ::waitpid(pid_, &status, WNOHANG);
      if (done == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
      }
      if (std::chrono::steady_clock::now() > deadline) {
        throw std::runtime_error("the chat server did not end within 60 s; stderr: " +
                                 stderr_text());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  std::string stderr_text() const {
    std::ifstream file(stderr_path_);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
  }

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string stdout_;
  std::string stderr_path_;
};

std::vector<std::string> shared_flags(RedisServer const& redis, int presence_ttl = 10) {
  return {"--port",         "0",
          "--backend",      "redis://127.0.0.1:" + std::to_string(redis.port()),
          "--presence-ttl", std::to_string(presence_ttl),
          "--rate-limit",   "0"};
}

/// A chat server on `redis`, its address read.
struct Server {
  explicit Server(std::vector<std::string> flags) : process(std::move(flags)) {
    address = process.listening();
  }
  ChatProcess process;
  wb::net::SocketAddr address = wb::net::SocketAddr::loopback_v4(0);
};

std::string show(std::vector<std::string> const& lines) {
  std::string text;
  for (auto const& line : lines) text += "\n    " + line;
  return lines.empty() ? " (none)" : text;
}

bool starts_with(std::string const& text, std::string const& prefix) {
  return text.rfind(prefix, 0) == 0;
}

/// The lines `client` reads up to and including the first for which `done` holds; fails the
/// test, showing them, if the connection ends or goes quiet first.
std::vector<std::string> read_until(ScriptedTcpClient& client, std::string const& what,
                                    std::function<bool(std::string const&)> const& done) {
  std::vector<std::string> lines;
  std::string trouble;
  try {
    while (auto line = client.read_line()) {
      lines.push_back(*line);
      if (done(*line)) return lines;
    }
    trouble = "the server closed the connection";
  } catch (std::exception const& error) {
    trouble = error.what();
  }
  INFO("a client waited for " << what << "; it read:" << show(lines) << "\nand then: " << trouble);
  FAIL("the line never came");
  return lines;
}

std::vector<std::string> read_until_line(ScriptedTcpClient& client, std::string const& wanted) {
  return read_until(client, "\"" + wanted + "\"",
                    [&](std::string const& line) { return line == wanted; });
}

/// Connects, reads up to the welcome, and takes nickname `nick`.
ScriptedTcpClient connect_as(Server const& server, std::string const& nick) {
  ScriptedTcpClient client(server.address, std::chrono::milliseconds(30'000));
  read_until(client, "the welcome line",
             [](std::string const& line) { return starts_with(line, "[server] welcome"); });
  client.send_line("/nick " + nick);
  read_until_line(client, "[server] you are now " + nick);
  return client;
}

/// Asks `command` (/rooms or /who) until its answer is `wanted`: presence travels through Redis
/// and expires on Redis's clock, so the answer may take a moment to change. Fails with the
/// answers seen if it has not after 600 tries.
void ask_until(ScriptedTcpClient& client, std::string const& command, std::string const& wanted) {
  std::string const prefix = command == "/rooms" ? "[server] rooms:" : "[server] in ";
  std::vector<std::string> answers;
  for (int attempt = 0; attempt < 600; ++attempt) {
    client.send_line(command);
    auto lines = read_until(client, "the answer to " + command,
                            [&](std::string const& line) { return starts_with(line, prefix); });
    if (lines.back() == wanted) return;
    if (answers.empty() || answers.back() != lines.back()) answers.push_back(lines.back());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  INFO("a client asked " << command << " 600 times (for a minute) waiting for \"" << wanted
                         << "\"; the answers were:" << show(answers)
                         << "\nThe presence of each server is a key chat:presence:<id> with an "
                            "expiry, refreshed by the server while it lives and read by /rooms "
                            "and /who.");
  FAIL("the answer never came");
}

bool contains(std::vector<std::string> const& lines, std::string const& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

}  // namespace

// ---- The pieces without a server: the flag, the payload, the presence ----

TEST_CASE("the backend flag takes memory or redis with an ip address and a port") {
  using chat::parse_backend_url;
  CHECK(parse_backend_url("memory") == chat::BackendUrl(chat::MemoryBackendUrl{}));
  CHECK(parse_backend_url("redis://127.0.0.1:6390") ==
        chat::BackendUrl(chat::RedisBackendUrl{"127.0.0.1", 6390}));
  CHECK(parse_backend_url("redis://[::1]:6390") ==
        chat::BackendUrl(chat::RedisBackendUrl{"::1", 6390}));
  CHECK_FALSE(parse_backend_url("redis://localhost:6390"));  // a name: resolving it blocks
  CHECK_FALSE(parse_backend_url("redis://127.0.0.1"));
  CHECK_FALSE(parse_backend_url("redis://127.0.0.1:0"));
  CHECK_FALSE(parse_backend_url("redis://127.0.0.1:65536"));
  CHECK_FALSE(parse_backend_url("redis://127.0.0.1:63x"));
  CHECK_FALSE(parse_backend_url("Memory"));
}

TEST_CASE("a room message survives its trip through a redis payload") {
  chat::RoomMessage const said{"#rust", "alice", "a line\nwith a newline at the end", 7, 0};
  auto const payload = chat::encode_message("server-a", said);
  auto const wire = chat::decode_message("chat:room:#rust", payload);
  REQUIRE(wire.has_value());
  CHECK(wire->server == "server-a");
  CHECK(wire->message ==
        chat::RoomMessage{"#rust", "alice", said.text, 0, 0});  // origin stays home
  chat::RoomMessage const notice{"#rust", "", "alice joined #rust", 7, 0};
  auto const notice_wire =
      chat::decode_message("chat:room:#rust", chat::encode_message("b", notice));
  REQUIRE(notice_wire.has_value());
  CHECK(notice_wire->message.from.empty());
  CHECK_FALSE(chat::decode_message("elsewhere", payload));
  CHECK_FALSE(chat::decode_message("chat:room:#rust", "no newline"));
}

TEST_CASE("a presence value gives back the rooms and nicknames written into it") {
  chat::Presence const presence = {{"#general", {"alice", "bob"}}, {"#rust", {"carol"}}};
  CHECK(chat::decode_presence(chat::encode_presence(presence)) == presence);
  CHECK(chat::decode_presence("").empty());
}

// ---- Whole servers ----

TEST_CASE("clients on two servers sharing one redis see each other once and get no echo") {
  auto redis = RedisServer::start_or_skip();
  Server a(shared_flags(redis));
  Server b(shared_flags(redis));
  auto alice = connect_as(a, "alice");
  auto bob = connect_as(b, "bob");

  alice.send_line("hello from alice");
  read_until_line(bob, "[#general] alice: hello from alice");
  bob.send_line("hello from bob");
  auto alice_saw = read_until_line(alice, "[#general] bob: hello from bob");
  INFO("alice (server A) read, up to bob's line:" << show(alice_saw));
  CHECK_FALSE(contains(alice_saw, "[#general] alice: hello from alice"));  // no echo via Redis

  // Redis delivers in order: a duplicate, or bob's own line coming back to him, would arrive
  // before alice's second line.
  alice.send_line("second from alice");
  auto bob_saw = read_until_line(bob, "[#general] alice: second from alice");
  INFO("bob (server B) read, up to alice's second line:" << show(bob_saw));
  CHECK_FALSE(contains(bob_saw, "[#general] alice: hello from alice"));
  CHECK_FALSE(contains(bob_saw, "[#general] bob: hello from bob"));
}

TEST_CASE("rooms counts the members of the other server and join moves across servers") {
  auto redis = RedisServer::start_or_skip();
  Server a(shared_flags(redis));
  Server b(shared_flags(redis));
  auto alice = connect_as(a, "alice");
  auto bob = connect_as(b, "bob");

  ask_until(alice, "/rooms", "[server] rooms: #general (2)");
  ask_until(alice, "/who", "[server] in #general: alice, bob");

  bob.send_line("/join #rust");
  read_until_line(bob, "[server] you are now in #rust");
  ask_until(alice, "/rooms", "[server] rooms: #general (1), #rust (1)");

  alice.send_line("/join #rust");
  read_until_line(alice, "[server] you are now in #rust");
  read_until_line(bob, "[server] alice joined #rust");
  bob.send_line("rust from bob");
  read_until_line(alice, "[#rust] bob: rust from bob");
  ask_until(bob, "/rooms", "[server] rooms: #rust (2)");
  ask_until(bob, "/who", "[server] in #rust: alice, bob");
}

TEST_CASE("the members of a killed server leave rooms once its presence expires") {
  auto redis = RedisServer::start_or_skip();
  Server a(shared_flags(redis, 2));
  Server b(shared_flags(redis, 2));
  auto alice = connect_as(a, "alice");
  auto bob = connect_as(b, "bob");
  ask_until(alice, "/rooms", "[server] rooms: #general (2)");

  b.process.signal(SIGKILL);  // no goodbye: only the expiry can tell
  CHECK(b.process.wait_exit() == -SIGKILL);
  ask_until(alice, "/rooms", "[server] rooms: #general (1)");
  ask_until(alice, "/who", "[server] in #general: alice");
}

TEST_CASE("sigint ends both servers with exit code 0 and the stopped one leaves rooms at once") {
  auto redis = RedisServer::start_or_skip();
  Server a(shared_flags(redis));
  Server b(shared_flags(redis));
  auto alice = connect_as(a, "alice");
  auto bob = connect_as(b, "bob");
  ask_until(alice, "/rooms", "[server] rooms: #general (2)");

  b.process.signal(SIGINT);
  read_until_line(bob, "[server] Server shutting down...");
  CHECK(b.process.wait_exit() == 0);
  // Its presence is deleted on the way out, so this does not wait for the 10 s expiry (it may,
  // and still pass: the point is that it happens).
  ask_until(alice, "/rooms", "[server] rooms: #general (1)");

  a.process.signal(SIGINT);
  read_until_line(alice, "[server] Server shutting down...");
  CHECK(a.process.wait_exit() == 0);
  INFO("server A's stderr: " << a.process.stderr_text());
  CHECK_THAT(a.process.stderr_text(), !ContainsSubstring("redis: lost"));
}

TEST_CASE("a server whose redis goes away says so once and keeps its own rooms working") {
  auto redis = RedisServer::start_or_skip();
  Server a(shared_flags(redis, 2));
  auto alice = connect_as(a, "alice");
  auto carol = connect_as(a, "carol");

  redis.stop();
  for (int i = 0; i < 3; ++i) {
    std::string const text = "still here " + std::to_string(i);
    alice.send_line(text);
    read_until_line(carol, "[#general] alice: " + text);
  }
  ask_until(carol, "/rooms", "[server] rooms: #general (2)");
  ask_until(carol, "/who", "[server] in #general: alice, carol");

  a.process.signal(SIGINT);
  read_until_line(alice, "[server] Server shutting down...");
  CHECK(a.process.wait_exit() == 0);
  std::string const errors = a.process.stderr_text();
  INFO("server A's stderr:\n" << errors);
  std::size_t reports = 0;
  for (auto at = errors.find("redis: lost"); at != std::string::npos;
       at = errors.find("redis: lost", at + 1)) {
    ++reports;
  }
  CHECK(reports == 1);
}

TEST_CASE("a backend flag that is not memory or a reachable redis address is refused") {
  {
    ChatProcess bad({"--port", "0", "--backend", "postgres://127.0.0.1:5432"});
    CHECK(bad.wait_exit() == 2);
    CHECK_THAT(bad.stderr_text(), ContainsSubstring("expected memory or redis://IP:PORT"));
  }
  {
    ChatProcess name({"--port", "0", "--backend", "redis://localhost:6379"});
    CHECK(name.wait_exit() == 2);  // a name would be resolved with a blocking call
  }
  {
    int const nobody = RedisServer::free_port();
    ChatProcess unreachable(
        {"--port", "0", "--backend", "redis://127.0.0.1:" + std::to_string(nobody)});
    CHECK(unreachable.wait_exit() == 1);
    CHECK_THAT(unreachable.stderr_text(), ContainsSubstring("cannot reach Redis"));
  }
}
