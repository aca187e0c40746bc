// `book serve`: files over HTTP from the site folder, and a rebuild when a source changes.
#include "wb/book/server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <thread>

#include "tiny_book.hpp"
#include "wb/testing/catch.hpp"

using namespace wb::book;
using wb::book::testing::TempTree;

namespace {

// One HTTP/1.1 request to 127.0.0.1:port; the whole response, headers and body.
std::string http(int port, std::string const& request_line) {
  int const fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return {};
  }
  auto const request = request_line + "\r\nHost: localhost\r\n\r\n";
  ::send(fd, request.data(), request.size(), 0);
  std::string response;
  char buffer[4096];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;)
    response.append(buffer, static_cast<std::size_t>(n));
  ::close(fd);
  return response;
}

struct RunningServer {
  std::atomic<bool> stop{false};
  std::promise<int> port_promise;
  std::thread thread;
  int port = 0;

  explicit RunningServer(SiteOptions const& site) {
    ServeOptions options;
    options.site = site;
    options.port = 0;
    options.poll_interval = std::chrono::milliseconds(50);
    options.stop = &stop;
    options.on_listening = [this](int bound) { port_promise.set_value(bound); };
    auto port_future = port_promise.get_future();
    thread = std::thread([options] { serve(options); });
    port = port_future.get();
  }
  ~RunningServer() {
    stop = true;
    thread.join();
  }
};

}  // namespace

TEST_CASE("a snapshot changes when a watched file is changed added or removed") {
  TempTree tree;
  auto const page = tree.write("src/a.md", "one");
  auto const before = take_snapshot({page, tree / "missing.txt"}, {tree / "src"});
  CHECK(take_snapshot({page, tree / "missing.txt"}, {tree / "src"}) == before);
  std::filesystem::last_write_time(
      page, std::filesystem::last_write_time(page) + std::chrono::seconds(2));
  auto const changed = take_snapshot({page, tree / "missing.txt"}, {tree / "src"});
  CHECK(changed != before);
  tree.write("src/b.md", "new");
  CHECK(take_snapshot({page, tree / "missing.txt"}, {tree / "src"}) != changed);
  tree.write("missing.txt", "now here");
  CHECK(take_snapshot({page, tree / "missing.txt"}, {}) != take_snapshot({page}, {}));
}

TEST_CASE("the server answers pages from the site and 404 for the rest") {
  TempTree tree;
  testing::write_tiny_book(tree);
  RunningServer server(testing::tiny_book_options(tree));
  auto const index = http(server.port, "GET / HTTP/1.1");
  CHECK(index.rfind("HTTP/1.1 200 OK", 0) == 0);
  CHECK(index.find("Content-Type: text/html") != std::string::npos);
  CHECK(index.find("<h1 id=\"intro\">") != std::string::npos);
  CHECK(index.find("data-live-reload=\"true\"") != std::string::npos);
  CHECK(http(server.port, "GET /theme/book.css HTTP/1.1").find("Content-Type: text/css") !=
        std::string::npos);
  auto const missing = http(server.port, "GET /nope.html HTTP/1.1");
  CHECK(missing.rfind("HTTP/1.1 404", 0) == 0);
  CHECK(missing.find("Page not found") != std::string::npos);
  CHECK(http(server.port, "GET /../../etc/passwd HTTP/1.1").rfind("HTTP/1.1 400", 0) == 0);
  CHECK(http(server.port, "POST / HTTP/1.1").rfind("HTTP/1.1 405", 0) == 0);
  auto const head = http(server.port, "HEAD /intro.html HTTP/1.1");
  CHECK(head.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(head.find("<html") == std::string::npos);
}

TEST_CASE("the server rebuilds when an included file changes") {
  TempTree tree;
  testing::write_tiny_book(tree);
  RunningServer server(testing::tiny_book_options(tree));
  auto const build_number = [&] {
    auto const response = http(server.port, "GET /__wb/build HTTP/1.1");
    return response.substr(response.find("\r\n\r\n") + 4);
  };
  CHECK(build_number() == "1");
  tree.write("code/x.hpp", "// ANCHOR: body\nint answer() { return 43; }\n// ANCHOR_END: body\n");
  std::filesystem::last_write_time(
      tree / "code/x.hpp",
      std::filesystem::last_write_time(tree / "code/x.hpp") + std::chrono::seconds(2));
  for (int i = 0; i < 100 && build_number() == "1"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(build_number() == "2");
  CHECK(http(server.port, "GET /ch01-one.html HTTP/1.1").find("return 43;") != std::string::npos);
}
