#include "wb/book/server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <shared_mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "wb/book/link_check.hpp"
#include "wb/course/files.hpp"

namespace wb::book {
namespace fs = std::filesystem;

Snapshot take_snapshot(std::vector<fs::path> const& files, std::vector<fs::path> const& dirs) {
  Snapshot snapshot;
  std::error_code error;
  for (auto const& file : files) {
    auto const time = fs::last_write_time(file, error);
    snapshot[file] = error ? fs::file_time_type::min() : time;
  }
  for (auto const& dir : dirs) {
    for (auto it = fs::recursive_directory_iterator(dir, error);
         !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
      if (it->is_regular_file(error)) snapshot[it->path()] = it->last_write_time(error);
    }
    error.clear();
  }
  return snapshot;
}

std::string content_type(fs::path const& file) {
  static const std::map<std::string, std::string> types = {
      {".html", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"}};
  auto const found = types.find(file.extension().string());
  return found == types.end() ? "application/octet-stream" : found->second;
}

namespace {

void send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    auto const n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

void respond(int fd, int status, std::string const& reason, std::string const& type,
             std::string const& body, bool head_only) {
  std::string response = "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\n";
  response += "Content-Type: " + type + "\r\n";
  response += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  response += "Cache-Control: no-cache\r\nConnection: close\r\n\r\n";
  if (!head_only) response += body;
  send_all(fd, response);
}

class Server {
 public:
  explicit Server(ServeOptions options) : options_(std::move(options)) {
    options_.site.live_reload = true;
  }
  void run();

 private:
  void log(std::string const& line) const {
    if (options_.log) options_.log(line);
  }
  bool rebuild();
  void handle(int fd);
  int listen_socket();

  ServeOptions options_;
  std::shared_mutex site_lock_;  // a rebuild writes files that requests read
  std::atomic<int> generation_{0};
  std::atomic<int> connections_{0};
  BuildReport last_report_;
};

bool Server::rebuild() {
  try {
    std::unique_lock lock(site_lock_);
    last_report_ = build_site(options_.site);
    ++generation_;
    log("built " + std::to_string(last_report_.pages) + " chapters in " +
        std::to_string(last_report_.elapsed.count() / 1000) + " ms");
    return true;
  } catch (BookError const& error) {
    log(error.what());
  } catch (std::exception const& error) {
    log(std::string("the book did not build: ") + error.what());
  }
  return false;
}

int Server::listen_socket() {
  int const fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  int const yes = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(options_.port));
  if (::inet_pton(AF_INET, options_.host.c_str(), &address.sin_addr) != 1) {
    ::close(fd);
    throw std::runtime_error("not an IPv4 address: " + options_.host);
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd, 64) != 0) {
    auto const reason = std::string(std::strerror(errno));
    ::close(fd);
    throw std::runtime_error("cannot listen on " + options_.host + ":" +
                             std::to_string(options_.port) + ": " + reason);
  }
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  options_.port = ntohs(address.sin_port);
  return fd;
}

void Server::handle(int fd) {
  timeval timeout{5, 0};  // browsers open connections they may never use
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string request;
  char buffer[4096];
  while (request.find("\r\n\r\n") == std::string::npos && request.size() < 16384) {
    auto const n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    request.append(buffer, static_cast<std::size_t>(n));
  }
  std::istringstream line(request.substr(0, request.find("\r\n")));
  std::string method, target;
  line >> method >> target;
  bool const head = method == "HEAD";
  if (method != "GET" && !head) {
    respond(fd, 405, "Method Not Allowed", "text/plain", "only GET and HEAD\n", false);
    return;
  }
  auto path = percent_decode(target.substr(0, target.find_first_of("?#")));
  if (path == "/__wb/build") {
    respond(fd, 200, "OK", "text/plain", std::to_string(generation_.load()), head);
    return;
  }
  if (path.empty() || path.front() != '/' || path.find('\0') != std::string::npos ||
      (path + "/").find("/../") != std::string::npos) {
    respond(fd, 400, "Bad Request", "text/plain", "bad path\n", head);
    return;
  }
  if (path.back() == '/') path += "index.html";
  auto file = options_.site.out_dir / path.substr(1);
  std::string body;
  {
    std::shared_lock lock(site_lock_);
    std::error_code error;
    if (fs::is_directory(file, error)) file /= "index.html";
    if (fs::is_regular_file(file, error)) {
      if (auto const found = course::read_file(file)) {
        respond(fd, 200, "OK", content_type(file), *found, head);
        return;
      }
    }
    body = course::read_file(options_.site.out_dir / "404.html").value_or("");
  }
  respond(fd, 404, "Not Found", "text/html; charset=utf-8", body, head);
}

void Server::run() {
  int const listener = listen_socket();
  rebuild();
  auto watched =
      take_snapshot(last_report_.inputs, {options_.site.book_dir, options_.site.theme_dir});
  log("serving the book on http://" + options_.host + ":" + std::to_string(options_.port) + "/");
  if (options_.on_listening) options_.on_listening(options_.port);
  auto next_check = std::chrono::steady_clock::now() + options_.poll_interval;
  while (options_.stop == nullptr || !options_.stop->load()) {
    pollfd waiting{listener, POLLIN, 0};
    int const ready = ::poll(&waiting, 1, static_cast<int>(options_.poll_interval.count()));
    if (ready > 0 && (waiting.revents & POLLIN) != 0) {
      int const client = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (client >= 0) {
        ++connections_;
        std::thread([this, client] {
          handle(client);
          ::close(client);
          --connections_;
        }).detach();
      }
    }
    if (std::chrono::steady_clock::now() < next_check) continue;
    next_check = std::chrono::steady_clock::now() + options_.poll_interval;
    auto now =
        take_snapshot(last_report_.inputs, {options_.site.book_dir, options_.site.theme_dir});
    if (now != watched) {
      log("a file changed: rebuilding");
      rebuild();
      // Rebuilt or not, wait for the next change (a failed build is retried after an edit).
      watched =
          take_snapshot(last_report_.inputs, {options_.site.book_dir, options_.site.theme_dir});
    }
  }
  ::close(listener);
  // Let requests in flight finish before the server (which they use) goes away.
  for (int i = 0; i < 600 && connections_.load() > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

}  // namespace

void serve(ServeOptions options) { Server(std::move(options)).run(); }

}  // namespace wb::book
