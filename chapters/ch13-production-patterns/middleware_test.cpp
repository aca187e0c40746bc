// Tests for the middleware layers. Clients call the service at given moments on virtual time;
// the handler behind the layers notes how many calls are inside it at once, when each started,
// and whether its frame was destroyed before it finished (a cancelled call). Each client notes
// when its answer came and what it was.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <middleware.hpp>
#include <mutex>
#include <optional>
#include <rate_limit.hpp>
#include <service.hpp>
#include <sstream>
#include <string>
#include <vector>
#include <wb/exec/runtime.hpp>
#include <wb/task/join_handle.hpp>
#include <wb/task/spawn.hpp>
#include <wb/testing/catch.hpp>
#include <wb/time/sleep.hpp>
#include <wb/time/timer_driver.hpp>

using namespace std::chrono_literals;

namespace {

wb::Instant now() { return wb::TimerDriver::current().now(); }

// ANCHOR: test_handler
/// A request: which one, and how long the handler works on it.
struct Request {
  int id = 0;
  wb::Duration work{};
};

/// What the handler saw.
struct HandlerLog {
  std::atomic<int> inside{0};
  std::atomic<int> most_inside{0};
  std::atomic<int> finished{0};
  std::atomic<int> cancelled{0};  // frames destroyed before they finished
  std::mutex mutex;
  std::vector<wb::Duration> started_at;
  wb::Instant start{};
};

/// Counts a call as inside the handler while it exists; notes a cancellation.
struct Inside {
  std::shared_ptr<HandlerLog> log;
  bool finished = false;
  explicit Inside(std::shared_ptr<HandlerLog> l) : log(std::move(l)) {
    int const now = ++log->inside;
    int seen = log->most_inside.load();
    while (now > seen && !log->most_inside.compare_exchange_weak(seen, now)) {
    }
  }
  ~Inside() {
    --log->inside;
    if (!finished) ++log->cancelled;
  }
};

wb::Task<ServiceResult<std::string>> handle(std::shared_ptr<HandlerLog> log, Request request) {
  Inside inside(log);
  {
    std::lock_guard lock(log->mutex);
    log->started_at.push_back(now() - log->start);
  }
  co_await wb::sleep(request.work);
  inside.finished = true;
  ++log->finished;
  co_return "response " + std::to_string(request.id);
}

/// The handler at the heart of the stack: always ready; each call works for request.work.
struct Handler {
  using Request = ::Request;
  using Response = std::string;
  std::shared_ptr<HandlerLog> log;

  wb::Task<ServiceResult<void>> ready() { co_return ServiceResult<void>(); }
  wb::Task<ServiceResult<std::string>> call(Request request) { return handle(log, request); }
};
static_assert(Service<Handler>);
// ANCHOR_END: test_handler

/// A call a client makes, at a time counted from the start.
struct Planned {
  wb::Duration at;
  Request request;
};

/// What a client got back.
struct Answer {
  int id = 0;
  wb::Duration asked_at{};
  wb::Duration answered_at{};
  bool ok = false;
  ServiceError::Kind kind{};
  std::string text;  // the response, or the error's context
};

struct Calls {
  std::mutex mutex;
  std::vector<Answer> answers;  // sorted by id at the end
  std::optional<wb::Duration> ready_at;
};

template <class S>
wb::Task<void> client(std::shared_ptr<S> service, Planned planned, wb::Instant start,
                      std::shared_ptr<Calls> calls) {
  co_await wb::sleep_until(start + planned.at);
  auto response = co_await service->call(planned.request);
  Answer answer{planned.request.id, planned.at, now() - start, response.has_value(), {}, {}};
  if (response) {
    answer.text = *response;
  } else {
    answer.kind = response.error().kind;
    answer.text = response.error().context;
  }
  std::lock_guard lock(calls->mutex);
  calls->answers.push_back(answer);
}

/// Makes every planned call, each from a task of its own; optionally asks ready() at `probe`.
template <class S>
wb::Task<void> run_clients(std::shared_ptr<S> service, std::vector<Planned> plan,
                           std::shared_ptr<Calls> calls, std::shared_ptr<HandlerLog> log,
                           std::optional<wb::Duration> probe) {
  auto const start = now();
  log->start = start;
  std::vector<wb::JoinHandle<void>> handles;
  for (auto const& planned : plan)
    handles.push_back(wb::spawn(client(service, planned, start, calls)));
  if (probe) {
    co_await wb::sleep_until(start + *probe);
    auto ready = co_await service->ready();
    CHECK(ready.has_value());
    calls->ready_at = now() - start;
  }
  for (auto& handle : handles) co_await handle;
  // Linger, so that a handler call left running in the background would get to finish.
  co_await wb::sleep_until(start + 20s);
}

struct Stack {
  wb::Duration deadline;
  std::size_t limit;
  std::size_t worker_threads = 0;
  std::optional<wb::Duration> probe = std::nullopt;  // ask ready() at this moment
};

/// Runs the planned calls against make_service(handler, deadline, limit), with `wrap` put
/// around it (for a rate limit in front).
template <class Wrap>
std::vector<Answer> run_calls(std::vector<Planned> plan, Stack stack,
                              std::shared_ptr<HandlerLog> log, std::shared_ptr<Calls> calls,
                              Wrap wrap) {
  {
    auto builder = wb::Runtime::builder().virtual_time();
    if (stack.worker_threads > 0) builder.worker_threads(stack.worker_threads);
    auto runtime = builder.build();
    auto service = wrap(make_service(Handler{log}, stack.deadline, stack.limit));
    auto shared = std::make_shared<decltype(service)>(std::move(service));
    runtime.block_on(run_clients(shared, std::move(plan), calls, log, stack.probe));
  }
  auto answers = calls->answers;
  std::sort(answers.begin(), answers.end(),
            [](Answer const& a, Answer const& b) { return a.id < b.id; });
  return answers;
}

std::vector<Answer> run_calls(std::vector<Planned> plan, Stack stack,
                              std::shared_ptr<HandlerLog> log = std::make_shared<HandlerLog>(),
                              std::shared_ptr<Calls> calls = std::make_shared<Calls>()) {
  return run_calls(std::move(plan), stack, log, calls, [](auto service) { return service; });
}

std::string text(wb::Duration d) {
  std::ostringstream out;
  out << std::chrono::duration<double>(d).count() << " s";
  return out.str();
}

std::string describe(Answer const& answer) {
  return "call " + std::to_string(answer.id) + " (made at " + text(answer.asked_at) +
         ") was answered at " + text(answer.answered_at) + " with " +
         (answer.ok ? "\"" + answer.text + "\""
                    : (answer.kind == ServiceError::Kind::timed_out ? "timed_out" : "an error") +
                          std::string(" (\"") + answer.text + "\")");
}

std::string describe(std::vector<Answer> const& answers) {
  std::string out;
  for (auto const& answer : answers) out += describe(answer) + "\n";
  return out;
}

// ANCHOR: explain_limit
/// What `most` calls inside the handler at once, with a limit of `limit`, says about the limit.
std::string explain_limit(int most, std::size_t limit) {
  std::string const seen = std::to_string(most) + " calls were inside the handler at once with " +
                           "a limit of " + std::to_string(limit);
  if (most > static_cast<int>(limit)) {
    return seen +
           ": the limit had no effect. The permit must be held for the whole inner call: keep "
           "it in a named variable in the call's own frame (auto permit = co_await "
           "permits_->acquire();) until the inner call returns. A permit in an inner block or "
           "in a helper coroutine is given back when that ends, before the inner call starts";
  }
  return seen;
}
// ANCHOR_END: explain_limit

}  // namespace

TEST_CASE("a call that ends before its deadline gives the handler's response") {
  auto answers = run_calls({{0s, {1, 300ms}}}, {1s, 2});
  REQUIRE(answers.size() == 1);
  INFO(describe(answers[0]) << "; the handler took 0.3 s of a 1 s deadline");
  CHECK(answers[0].ok);
  CHECK(answers[0].text == "response 1");
  CHECK(answers[0].answered_at == 300ms);
}

TEST_CASE("a call that overruns is answered timed_out exactly at the deadline") {
  auto log = std::make_shared<HandlerLog>();
  auto answers = run_calls({{0s, {1, 5s}}}, {1s, 2}, log);
  REQUIRE(answers.size() == 1);
  INFO(describe(answers[0])
       << "; the handler needed 5 s and the deadline was 1 s. "
       << (answers[0].answered_at > 1s
               ? "The answer waited for the handler: a timeout must race the call against a "
                 "timer (co_await wb::timeout(deadline_, inner_.call(...))), not look at the "
                 "clock once the call is done"
               : "At the deadline the answer is a ServiceError of kind timed_out"));
  CHECK_FALSE(answers[0].ok);
  CHECK(answers[0].kind == ServiceError::Kind::timed_out);
  CHECK(answers[0].answered_at == 1s);
}

TEST_CASE("a call that timed out is cancelled at its deadline and does no more work") {
  auto log = std::make_shared<HandlerLog>();
  auto answers = run_calls({{0s, {1, 5s}}, {0s, {2, 10s}}}, {1s, 2}, log);
  INFO(
      log->finished.load() << " of the two handler calls ran to the end after they timed out. A "
                              "call that timed out must be cancelled — its future destroyed — so "
                              "that it frees what it holds; wb::timeout does that when the time is "
                              "up.\n"
                           << describe(answers));
  CHECK(log->finished.load() == 0);
  CHECK(log->cancelled.load() == 2);
}

TEST_CASE("no more than limit calls are inside the handler at once") {
  auto log = std::make_shared<HandlerLog>();
  std::vector<Planned> plan;
  for (int id = 1; id <= 6; ++id) plan.push_back({0s, {id, 1s}});
  auto answers = run_calls(plan, {10s, 2}, log);
  {
    INFO(explain_limit(log->most_inside.load(), 2));
    CHECK(log->most_inside.load() == 2);
  }
  std::vector<wb::Duration> answered;
  for (auto const& answer : answers) answered.push_back(answer.answered_at);
  std::sort(answered.begin(), answered.end());
  INFO("six 1-second calls through a limit of 2 are answered two at a time, at 1 s, 2 s and 3 s:\n"
       << describe(answers));
  CHECK(answered == std::vector<wb::Duration>{1s, 1s, 2s, 2s, 3s, 3s});
}

TEST_CASE("the deadline counts the time a call waits for its turn") {
  // One permit; three 5-second calls made at once, each with a 1-second deadline.
  auto answers = run_calls({{0s, {1, 5s}}, {0s, {2, 5s}}, {0s, {3, 5s}}}, {1s, 1});
  REQUIRE(answers.size() == 3);
  auto const latest = std::max_element(answers.begin(), answers.end(), [](auto& a, auto& b) {
                        return a.answered_at < b.answered_at;
                      })->answered_at;
  INFO("every call was made at 0 s with a deadline of 1 s, yet the last answer came at "
       << text(latest)
       << ": the deadline started only once a call had its permit, so a call that waited its "
          "turn waited longer than its deadline. The layer that goes outside sees the call "
          "first: put WithTimeout outside WithConcurrencyLimit "
          "(WithTimeout(WithConcurrencyLimit(handler, limit), deadline)).\n"
       << describe(answers));
  for (auto const& answer : answers) {
    CHECK_FALSE(answer.ok);
    CHECK(answer.answered_at == 1s);
  }
}

TEST_CASE("a call that timed out gives its permit back") {
  // Two permits. Calls 1 and 2 hang and time out at 1 s; call 3, at 2 s, needs 0.1 s.
  auto answers = run_calls({{0s, {1, 10s}}, {0s, {2, 10s}}, {2s, {3, 100ms}}}, {1s, 2});
  REQUIRE(answers.size() == 3);
  INFO(describe(answers[2])
       << ", though calls 1 and 2 had timed out at 1 s: at 2 s both permits should be free "
          "again. The permits of the cancelled calls never came back. When a timeout cancels a "
          "call, its frame is destroyed and code after a co_await in it never runs, so a permit "
          "given back by hand (add_permits after the inner call) is lost. Hold the permit in an "
          "RAII object in the call's frame.\n"
       << describe(answers));
  CHECK(answers[2].ok);
  CHECK(answers[2].answered_at == 2100ms);
}

TEST_CASE("ready waits while every permit is taken") {
  auto calls = std::make_shared<Calls>();
  Stack stack{10s, 1};
  stack.probe = 1s;  // ask ready() at 1 s, while call 1 (0 s to 3 s) holds the only permit
  auto answers = run_calls({{0s, {1, 3s}}}, stack, std::make_shared<HandlerLog>(), calls);
  REQUIRE(calls->ready_at.has_value());
  INFO("ready() was asked at 1 s, while the only permit was held until 3 s, and it answered at "
       << text(*calls->ready_at)
       << ". ready() tells a caller that a call made now would not wait: it must wait for a "
          "free permit (acquire one and give it back at once)");
  CHECK(*calls->ready_at == 3s);
}

TEST_CASE("a rate limit in front of the stack starts at most two calls a second") {
  auto log = std::make_shared<HandlerLog>();
  std::vector<Planned> plan;
  for (int id = 1; id <= 5; ++id) plan.push_back({0s, {id, 100ms}});
  auto answers = run_calls(plan, {10s, 10}, log, std::make_shared<Calls>(),
                           [](auto service) { return WithRateLimit(std::move(service), 2, 1s); });
  auto started = log->started_at;
  std::sort(started.begin(), started.end());
  INFO(describe(answers));
  CHECK(started == std::vector<wb::Duration>{0s, 0s, 1s, 1s, 2s});
  for (auto const& answer : answers) CHECK(answer.ok);
}

TEST_CASE("the stack holds to its limit on worker threads") {
  auto log = std::make_shared<HandlerLog>();
  std::vector<Planned> plan;
  for (int id = 1; id <= 6; ++id) plan.push_back({0s, {id, 1s}});
  Stack stack{10s, 2};
  stack.worker_threads = 2;
  auto answers = run_calls(plan, stack, log);
  INFO("on two worker threads: " << explain_limit(log->most_inside.load(), 2));
  CHECK(log->most_inside.load() <= 2);
  REQUIRE(answers.size() == 6);
  for (auto const& answer : answers) CHECK(answer.ok);
}
