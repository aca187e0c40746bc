// Tests for fetch_all. A local HTTP server (wb::testing::LocalHttpServer) answers on 127.0.0.1,
// and holds each response until the test releases it: so the test, not the machine's speed,
// decides when each request finishes. fetch_all runs on a runtime of its own thread. How many
// requests are in flight is read from two sides: the fetches running in the program (FetchGauge,
// exact: a fetch counts from its first poll until it is done) and the requests the server holds.
// A response is released only once every fetch that has started has reached the server, so a
// fetch_all that could start one more has had every chance to.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <fetch_all.hpp>
#include <http_get.hpp>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>
#include <wb/exec/runtime.hpp>
#include <wb/testing/catch.hpp>
#include <wb/testing/guarded_thread.hpp>
#include <wb/testing/local_http_server.hpp>
#include <wb/time/timeout.hpp>

using namespace std::chrono_literals;
using wb::testing::LocalHttpServer;

namespace {

constexpr std::size_t limit = 5;
// Hang guards, not timings: a correct fetch_all reaches each awaited state in milliseconds.
constexpr std::chrono::milliseconds patience = 4s;
constexpr auto whole_run = 8s;

/// fetch_all(urls, limit) on a runtime of its own thread (two worker threads if asked).
class FetchRun {
 public:
  FetchRun(std::vector<std::string> urls, std::size_t limit, std::size_t workers = 0)
      : state_(std::make_shared<State>()),
        thread_([state = state_, urls = std::move(urls), limit, workers]() mutable {
          struct MarkDone {  // even when fetch_all throws (a WB_TODO)
            std::atomic<bool>& done;
            ~MarkDone() { done.store(true); }
          } mark{state->done};
          auto builder = wb::Runtime::builder();
          if (workers > 0) builder.worker_threads(workers);
          auto runtime = builder.build();
          auto outcome =
              runtime.block_on(wb::timeout(whole_run, fetch_all(std::move(urls), limit)));
          if (outcome) state->results = std::move(*outcome);
        }) {}

  bool done() const { return state_->done.load(); }

  /// Lets every held response go, waits for fetch_all and gives its results (empty if it did
  /// not finish within the hang guard). Rethrows what fetch_all threw.
  std::optional<std::vector<FetchResult>> finish(LocalHttpServer& server) {
    server.release_all();
    thread_.join();
    return state_->results;
  }

 private:
  struct State {
    std::atomic<bool> done{false};
    std::optional<std::vector<FetchResult>> results;  // written before done
  };
  std::shared_ptr<State> state_;
  wb::testing::GuardedThread thread_;
};

/// "/a" for a result whose body is "body of /a"; the error itself for an error.
std::string describe(FetchResult const& result) {
  if (!result) return "error \"" + result.error() + "\"";
  std::string const& body = result.value();
  std::string const prefix = "body of ";
  return body.rfind(prefix, 0) == 0 ? body.substr(prefix.size()) : "\"" + body + "\"";
}

std::string list(std::vector<std::string> const& items) {
  std::string text;
  for (auto const& item : items) text += (text.empty() ? "" : ", ") + item;
  return text.empty() ? "none" : text;
}

/// Every fetch that has started is waiting at the server, and as many run as the limit allows.
bool settled(LocalHttpServer::Stats const& server, std::size_t total, std::size_t limit) {
  auto const gauge = FetchGauge::global().read();
  std::size_t const left = total - std::min(total, gauge.finished);
  return gauge.running == server.in_flight && gauge.running >= std::min(limit, left);
}

// ANCHOR: explain_limit
/// What went wrong with the number of requests in flight; empty when nothing did.
std::string explain_limit(std::size_t most_running, std::size_t server_most, std::size_t total,
                          bool stalled) {
  std::string const rule = "; the limit is " + std::to_string(limit);
  if (most_running > limit) {
    return std::to_string(most_running) + " requests were in flight at once" + rule +
           " (the server held " + std::to_string(server_most) +
           " at once, all waiting for their answers). This usually means one of: every fetch "
           "was started before any was awaited (a spawn or a join of all of them), or the "
           "number given to buffer_unordered is not `limit`";
  }
  if (most_running == 1 && total > 1) {
    return "only 1 request was ever in flight" + rule +
           " — the fetches run one after another. Awaiting each fetch in a loop does that: "
           "let buffer_unordered(limit) run up to `limit` of them together";
  }
  if (stalled) {
    return "at most " + std::to_string(most_running) + " requests were in flight at once, " +
           "and no more started in " + std::to_string(patience.count()) + " ms although " +
           std::to_string(total) + " URLs were given" + rule +
           ": while URLs are left, fetch_all should keep `limit` fetches running";
  }
  return "";
}
// ANCHOR_END: explain_limit

struct LimitRun {
  std::size_t most_running = 0;
  std::size_t server_most = 0;
  bool stalled = false;
  std::optional<std::vector<FetchResult>> results;
};

/// Fetches `total` held paths with the limit, releasing one response at a time — the oldest —
/// and each only once the run has settled (see settled()).
LimitRun run_with_releases(std::size_t total, std::size_t workers) {
  LocalHttpServer server;
  std::vector<std::string> urls;
  for (std::size_t i = 0; i < total; ++i) {
    std::string const path = "/page" + std::to_string(i);
    server.route(path, LocalHttpServer::ok("body of " + path, /*held=*/true));
    urls.push_back(server.url(path));
  }
  FetchGauge::global().reset();
  FetchRun run(urls, limit, workers);
  LimitRun observed;
  std::set<std::string> released;
  while (!run.done()) {
    bool const ready = server.wait_until(
        [&](LocalHttpServer::Stats const& stats) {
          return run.done() || settled(stats, total, limit);
        },
        patience);
    if (run.done()) break;
    if (!ready) {
      observed.stalled = true;
      break;
    }
    auto const stats = server.stats();
    auto const next = std::find_if(stats.arrivals.begin(), stats.arrivals.end(),
                                   [&](std::string const& path) { return !released.count(path); });
    if (next == stats.arrivals.end()) {  // nothing left to release: fetch_all is about to end
      (void)server.wait_until([&](LocalHttpServer::Stats const&) { return run.done(); }, patience);
      break;
    }
    std::string const path = *next;
    std::size_t const finished_before = FetchGauge::global().read().finished;
    server.release(path);
    released.insert(path);
    // Wait for the release to take effect before looking again.
    (void)server.wait_until(
        [&](LocalHttpServer::Stats const&) {
          return run.done() || FetchGauge::global().read().finished > finished_before;
        },
        patience);
  }
  observed.results = run.finish(server);
  observed.most_running = FetchGauge::global().read().most_running;
  observed.server_most = server.stats().most_in_flight;
  return observed;
}

void check_every_url_answered(std::optional<std::vector<FetchResult>> const& results,
                              std::size_t total) {
  INFO("fetch_all did not return within " << whole_run.count()
                                          << " s after every response was released");
  REQUIRE(results.has_value());
  std::vector<std::string> got;
  for (auto const& result : *results) got.push_back(describe(result));
  std::vector<std::string> expected;
  for (std::size_t i = 0; i < total; ++i) expected.push_back("/page" + std::to_string(i));
  std::vector<std::string> sorted = got;
  std::sort(sorted.begin(), sorted.end());
  std::sort(expected.begin(), expected.end());
  INFO("fetch_all gave " << results->size() << " results for " << total << " URLs: " << list(got)
                         << ". Each URL gets exactly one result");
  CHECK(sorted == expected);
}

}  // namespace

TEST_CASE("no more than 5 requests are in flight at once and 5 are while URLs are left") {
  constexpr std::size_t total = 12;
  auto observed = run_with_releases(total, 0);
  auto const problem =
      explain_limit(observed.most_running, observed.server_most, total, observed.stalled);
  INFO(problem);
  CHECK(problem.empty());
  CHECK(observed.most_running == limit);
  check_every_url_answered(observed.results, total);
}

TEST_CASE("results come in the order the fetches finish and not the order of the urls") {
  LocalHttpServer server;
  std::vector<std::string> const paths{"/a", "/b", "/c", "/d", "/e"};
  std::vector<std::string> urls;
  for (auto const& path : paths) {
    server.route(path, LocalHttpServer::ok("body of " + path, /*held=*/true));
    urls.push_back(server.url(path));
  }
  FetchGauge::global().reset();
  FetchRun run(urls, limit);
  bool const all_started = server.wait_until(
      [&](LocalHttpServer::Stats const& stats) {
        return run.done() || settled(stats, paths.size(), limit);
      },
      patience);
  // Released one at a time, out of order, each once the one before has finished.
  std::vector<std::string> const release_order{"/e", "/c", "/a", "/d", "/b"};
  if (all_started && !run.done()) {
    for (std::size_t i = 0; i < release_order.size(); ++i) {
      server.release(release_order[i]);
      (void)server.wait_until(
          [&](LocalHttpServer::Stats const&) {
            return run.done() || FetchGauge::global().read().finished > i;
          },
          patience);
    }
  }
  auto results = run.finish(server);
  {
    auto const most = FetchGauge::global().read().most_running;
    INFO("the 5 requests were to be in flight together before any answer was released; "
         << explain_limit(most, server.stats().most_in_flight, paths.size(), !all_started));
    REQUIRE(all_started);
  }
  REQUIRE(results.has_value());
  std::vector<std::string> got;
  for (auto const& result : *results) got.push_back(describe(result));
  INFO("the answers were released one at a time in the order "
       << list(release_order) << ", each once the one before had finished; fetch_all gave "
       << list(got)
       << ". A result is handed out as soon as its fetch finishes (buffer_unordered); buffered, "
          "or awaiting the fetches in the order of the urls, keeps the input order instead");
  CHECK(got == release_order);
}

TEST_CASE("an error is reported as <url>: <error> and the other urls still succeed") {
  LocalHttpServer server;
  server.route("/fine", LocalHttpServer::ok("body of /fine"));
  server.route("/broken", LocalHttpServer::server_error());
  server.route("/cut", LocalHttpServer::close_early());
  std::vector<std::string> const urls{server.url("/broken"), server.url("/fine"),
                                      server.url("/cut")};
  // What fetch itself says about each failing URL.
  auto const fetch_error = [](std::string const& url) {
    auto runtime = wb::Runtime::builder().build();
    auto result = runtime.block_on(wb::timeout(whole_run, fetch(url)));
    REQUIRE(result.has_value());
    REQUIRE_FALSE(result->has_value());
    return result->error();
  };
  std::string const broken = urls[0] + ": " + fetch_error(urls[0]);
  std::string const cut = urls[2] + ": " + fetch_error(urls[2]);

  FetchGauge::global().reset();
  FetchRun run(urls, limit);
  auto results = run.finish(server);
  REQUIRE(results.has_value());
  std::vector<std::string> got;
  for (auto const& result : *results) got.push_back(describe(result));
  {
    INFO("fetch_all gave " << results->size() << " results for 3 URLs: " << list(got));
    REQUIRE(results->size() == 3);
  }
  for (auto const& result : *results) {
    if (result) {
      INFO("the one success must be the body of /fine, as fetch gave it");
      CHECK(result.value() == "body of /fine");
      continue;
    }
    bool const is_broken = result.error().find("/broken") != std::string::npos ||
                           result.error().find("500") != std::string::npos;
    std::string const& expected = is_broken ? broken : cut;
    INFO("an error came back as \""
         << result.error() << "\"; it must be \"" << expected
         << "\": the URL, a colon and a space, then fetch's own error. In a list of results "
            "in completion order, an error that does not name its URL cannot be traced back");
    CHECK(result.error() == expected);
  }
}

TEST_CASE("the limit holds on a runtime with worker threads") {
  constexpr std::size_t total = 9;
  auto observed = run_with_releases(total, 2);
  auto const problem =
      explain_limit(observed.most_running, observed.server_most, total, observed.stalled);
  INFO("on two worker threads: " << problem);
  CHECK(problem.empty());
  CHECK(observed.most_running == limit);
  check_every_url_answered(observed.results, total);
}
