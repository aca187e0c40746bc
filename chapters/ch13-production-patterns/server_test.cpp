// Tests for serve. Every test runs a script on virtual time: clients connect at given moments
// through the stand-in listener, each request takes a given time in the handler, and the
// shutdown is triggered at a given moment. The handler counts the requests it accepted and
// completed and how many of its frames are alive, so a test sees what serve left behind when it
// returned: requests still running (detached), or cut short (cancelled).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <listener.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <server.hpp>
#include <sstream>
#include <string>
#include <vector>
#include <wb/exec/runtime.hpp>
#include <wb/sync/watch.hpp>
#include <wb/task/spawn.hpp>
#include <wb/testing/catch.hpp>
#include <wb/time/sleep.hpp>
#include <wb/time/timeout.hpp>
#include <wb/time/timer_driver.hpp>

using namespace std::chrono_literals;

namespace {

// ANCHOR: request_log
/// What the handler saw: requests accepted (started) and completed, and how many of its
/// frames exist right now — a request in flight, or one detached and still running.
struct RequestLog {
  std::atomic<int> accepted{0};
  std::atomic<int> completed{0};
  std::atomic<int> alive{0};
  std::atomic<int> most_alive{0};
  std::mutex mutex;
  std::vector<int> handled;              // connection ids, in the order they were accepted
  std::map<int, wb::Duration> work_for;  // how long the request on each connection takes
};

/// Counts one handler frame as alive for as long as it exists.
struct Alive {
  std::shared_ptr<RequestLog> log;
  explicit Alive(std::shared_ptr<RequestLog> l) : log(std::move(l)) {
    int const now = ++log->alive;
    int seen = log->most_alive.load();
    while (now > seen && !log->most_alive.compare_exchange_weak(seen, now)) {
    }
  }
  ~Alive() { --log->alive; }
};

wb::Task<void> handle_request(std::shared_ptr<RequestLog> log, Connection connection) {
  Alive alive(log);
  wb::Duration work{};
  {
    std::lock_guard lock(log->mutex);
    log->handled.push_back(connection.id);
    work = log->work_for.at(connection.id);
  }
  ++log->accepted;
  co_await wb::sleep(work);
  ++log->completed;
}

/// The handler the tests give serve.
struct Handler {
  std::shared_ptr<RequestLog> log;
  wb::Task<void> operator()(Connection connection) const { return handle_request(log, connection); }
};
// ANCHOR_END: request_log

/// One step of a script, at a virtual time counted from the start.
struct Step {
  enum class Kind { connect, set_false, shut_down, drop_trigger, close_listener };
  wb::Duration at;
  Kind kind;
  int id = 0;
  wb::Duration work{};
};

Step connect(wb::Duration at, int id, wb::Duration work) {
  return {at, Step::Kind::connect, id, work};
}
Step shut_down(wb::Duration at) { return {at, Step::Kind::shut_down}; }

/// What a script run saw, from the moment serve returned.
struct Run {
  std::optional<wb::Duration> ended_at;  // when serve returned
  bool gave_up = false;                  // serve was still running long after the last step
  int accepted = 0;
  int completed = 0;
  int alive_at_end = 0;  // handler frames alive when serve returned
  int most_alive = 0;
  std::vector<int> handled;
  int completed_in_the_end = 0;  // after serve returned and everything left had time to finish
};

constexpr auto hang_guard = 60s;  // how long after its last step the script waits for serve
constexpr auto linger = 30s;      // longer than any request of any script

wb::Instant now() { return wb::TimerDriver::current().now(); }

/// Runs serve, and notes what was left the moment it returned.
wb::Task<void> run_server(Listener listener, wb::watch::Receiver<bool> shutdown,
                          std::shared_ptr<RequestLog> log, std::shared_ptr<Run> run,
                          wb::Instant start) {
  Handler const handler{log};  // named: GCC 12 destroys a braced temporary in a co_await twice
  co_await serve(std::move(listener), std::move(shutdown), handler);
  run->ended_at = now() - start;
  run->alive_at_end = log->alive.load();
  run->accepted = log->accepted.load();
  run->completed = log->completed.load();
  run->most_alive = log->most_alive.load();
  std::lock_guard lock(log->mutex);
  run->handled = log->handled;
}

wb::Task<void> play(std::vector<Step> script, std::shared_ptr<RequestLog> log,
                    std::shared_ptr<Run> run) {
  wb::Instant const start = now();
  auto [dialer, listener] = listen();
  auto [trigger, shutdown] = wb::watch::channel(false);
  std::optional<wb::mpsc::Sender<Connection>> clients(std::move(dialer));
  std::optional<wb::watch::Sender<bool>> shutdown_trigger(std::move(trigger));
  auto server = wb::spawn(run_server(std::move(listener), std::move(shutdown), log, run, start));

  for (auto const& step : script) {
    co_await wb::sleep_until(start + step.at);
    switch (step.kind) {
      case Step::Kind::connect: {
        std::lock_guard lock(log->mutex);
        log->work_for[step.id] = step.work;
      }
        if (clients) (void)co_await clients->send(Connection{step.id});
        break;
      case Step::Kind::set_false:
        if (shutdown_trigger) (void)shutdown_trigger->send(false);
        break;
      case Step::Kind::shut_down:
        if (shutdown_trigger) (void)shutdown_trigger->send(true);
        break;
      case Step::Kind::drop_trigger:
        shutdown_trigger.reset();
        break;
      case Step::Kind::close_listener:
        clients.reset();
        break;
    }
  }
  auto finished = co_await wb::timeout(hang_guard, std::move(server));
  if (!finished) run->gave_up = true;
  co_await wb::sleep(linger);  // a request left running finishes meanwhile; a cancelled one never
  run->completed_in_the_end = log->completed.load();
}

Run play_script(std::vector<Step> script, std::size_t worker_threads = 0) {
  auto run = std::make_shared<Run>();
  {
    auto builder = wb::Runtime::builder().virtual_time();
    if (worker_threads > 0) builder.worker_threads(worker_threads);
    auto runtime = builder.build();
    runtime.block_on(play(std::move(script), std::make_shared<RequestLog>(), run));
  }
  if (run->gave_up) run->ended_at.reset();
  return *run;
}

std::string seconds(wb::Duration d) {
  std::ostringstream text;
  text << std::chrono::duration<double>(d).count() << " s";
  return text.str();
}

std::string ids(std::vector<int> const& handled) {
  std::string text;
  for (int id : handled) text += (text.empty() ? "" : ", ") + std::to_string(id);
  return handled.empty() ? "none" : text;
}

// ANCHOR: explain_drain
/// What went wrong with a shutdown that should have ended at `end` with `arrived` requests
/// accepted and completed; empty when nothing did.
std::string explain_drain(Run const& run, wb::Duration shutdown_at, wb::Duration end, int arrived) {
  std::string const at = " at " + seconds(shutdown_at);
  if (!run.ended_at) {
    return "serve was still running " + seconds(hang_guard) + " after the shutdown" + at +
           ": it never noticed it. The shutdown must be awaited in the same select as the next "
           "connection, so that it wins even while no connection comes";
  }
  std::string const returned = "serve returned at " + seconds(*run.ended_at) + " of virtual time";
  if (run.accepted < arrived) {
    return returned + " having accepted " + std::to_string(run.accepted) + " of the " +
           std::to_string(arrived) + " connections that came before the shutdown" + at +
           " (handled: " + ids(run.handled) +
           "). A loop that awaits each request before it accepts the next accepts one at a "
           "time: spawn each request as a task of its own (tracker.spawn(handle(...)))";
  }
  if (run.completed < run.accepted && run.completed_in_the_end < run.accepted) {
    return returned + " having accepted " + std::to_string(run.accepted) +
           " requests but completed " + std::to_string(run.completed) + ", and " +
           std::to_string(run.accepted - run.completed_in_the_end) +
           " of them never finished: they were cancelled, not drained. This usually means one "
           "of: the requests were in a JoinSet that was destroyed (which aborts its tasks), or "
           "they were aborted on shutdown. A graceful shutdown lets them finish";
  }
  if (run.alive_at_end > 0 || run.completed < run.accepted) {
    return returned + " with " + std::to_string(run.accepted - run.completed) + " of its " +
           std::to_string(run.accepted) +
           " requests still in flight; they finished later, on their own: they were left "
           "running, not waited for. After the loop, close the tracker and co_await "
           "tracker.wait() before returning";
  }
  if (*run.ended_at != end) {
    return returned + ", but the last request in flight ended at " + seconds(end) +
           ": serve should return as soon as the last one ends, not before and not later";
  }
  return "";
}
// ANCHOR_END: explain_drain

}  // namespace

TEST_CASE("serve lets every request in flight at the shutdown finish before it returns") {
  // Requests run 0-5 s, 1-4 s and 2-12 s; the shutdown comes at 3 s, while all three run.
  auto run =
      play_script({connect(0s, 1, 5s), connect(1s, 2, 3s), connect(2s, 3, 10s), shut_down(3s)});
  auto const problem = explain_drain(run, 3s, 12s, 3);
  INFO(problem);
  CHECK(problem.empty());
  CHECK(run.accepted == run.completed);
  CHECK(run.alive_at_end == 0);
}

TEST_CASE("serve notices the shutdown while it waits for a connection") {
  // The only request ends at 1 s; then nothing comes until the shutdown at 5 s.
  auto run = play_script({connect(0s, 1, 1s), shut_down(5s)});
  auto const problem = explain_drain(run, 5s, 5s, 1);
  INFO(problem);
  CHECK(problem.empty());
}

TEST_CASE("serve accepts no connection after the shutdown") {
  // The shutdown at 1 s; connections 2 and 3 come after it, while request 1 still runs; the
  // listener closes at 30 s.
  auto run = play_script({connect(0s, 1, 2s), shut_down(1s), connect(1500ms, 2, 1s),
                          connect(1800ms, 3, 1s), Step{30s, Step::Kind::close_listener}});
  {
    INFO(
        "requests handled: " << ids(run.handled)
                             << ". Connections 2 and 3 came after the shutdown at 1 s and must not "
                                "be accepted: once the shutdown holds true, the loop ends");
    CHECK(run.handled == std::vector<int>{1});
  }
  auto const problem = explain_drain(run, 1s, 2s, 1);
  INFO(problem);
  CHECK(problem.empty());
}

TEST_CASE("serve handles requests at the same time each in a task of its own") {
  // Three 2-second requests arrive together; the shutdown comes at 1 s, while they run.
  auto run =
      play_script({connect(0s, 1, 2s), connect(0s, 2, 2s), connect(0s, 3, 2s), shut_down(1s)});
  {
    INFO("the three requests arrived at 0 s; " << run.most_alive
                                               << " of them ran at once, and the shutdown came at "
                                                  "1 s. Each request must be a task of its own, "
                                                  "spawned as soon as it is accepted");
    CHECK(run.most_alive == 3);
  }
  auto const problem = explain_drain(run, 1s, 2s, 3);
  INFO(problem);
  CHECK(problem.empty());
}

TEST_CASE("a change of the shutdown signal to false does not stop serve") {
  auto run = play_script(
      {connect(0s, 1, 1s), Step{1s, Step::Kind::set_false}, connect(2s, 2, 1s), shut_down(4s)});
  INFO("serve returned at "
       << (run.ended_at ? seconds(*run.ended_at) : std::string("no time"))
       << " and handled connections " << ids(run.handled)
       << "; the signal was set to false at 1 s and to true at 4 s. changed() says that the value "
          "changed, not what it is: look at *shutdown.borrow() and stop only when it is true");
  CHECK(run.handled == std::vector<int>{1, 2});
  CHECK(run.ended_at == std::optional<wb::Duration>(4s));
}

TEST_CASE("serve also stops when the shutdown signal's sender is gone") {
  auto run = play_script({connect(0s, 1, 3s), Step{1s, Step::Kind::drop_trigger}});
  INFO(
      "the shutdown signal's sender was destroyed at 1 s: nobody can ever send true now, so "
      "changed() answers Closed, and that is a shutdown too");
  auto const problem = explain_drain(run, 1s, 3s, 1);
  INFO(problem);
  CHECK(problem.empty());
}

TEST_CASE("serve stops when the listener closes and still lets its requests finish") {
  auto run = play_script({connect(0s, 1, 4s), Step{1s, Step::Kind::close_listener}});
  INFO(
      "the listener closed at 1 s (accept() answered Closed): no connection will come, so "
      "serve stops accepting and drains, as on a shutdown");
  auto const problem = explain_drain(run, 1s, 4s, 1);
  INFO(problem);
  CHECK(problem.empty());
}

TEST_CASE("serve drains its requests on a runtime with worker threads") {
  auto run =
      play_script({connect(0s, 1, 5s), connect(1s, 2, 3s), connect(2s, 3, 10s), shut_down(3s)}, 2);
  auto const problem = explain_drain(run, 3s, 12s, 3);
  INFO("on two worker threads: " << problem);
  CHECK(problem.empty());
  CHECK(run.alive_at_end == 0);
}
