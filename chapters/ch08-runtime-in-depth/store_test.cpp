// Tests for the store actor: get and set answered from the map the actor owns, an empty value
// told apart from no value, requests still queued when the last handle goes, a client that
// stopped waiting, a store that is gone or drops a request, many clients on worker threads, and
// a call driven by the oracles while the store runs elsewhere.
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <sstream>
#include <store.hpp>
#include <store_messages.hpp>
#include <string>
#include <utility>
#include <vector>
#include <wb/core/contract.hpp>
#include <wb/exec/runtime.hpp>
#include <wb/oracle/oracles.hpp>
#include <wb/sync/mpsc.hpp>
#include <wb/sync/oneshot.hpp>
#include <wb/task/join_handle.hpp>
#include <wb/task/spawn.hpp>
#include <wb/task/task.hpp>
#include <wb/testing/catch.hpp>
#include <wb/time/timeout.hpp>

using namespace std::chrono_literals;

namespace {

// A generous bound on a whole test's work: only a hang ever reaches it.
constexpr auto hang_guard = 30s;

std::string show(Answer const& answer) {
  if (!answer) return "StoreGone";
  if (!*answer) return "nullopt";
  return "\"" + **answer + "\"";
}

/// Runs `body` on `runtime` under the hang guard, turning a hang into a clear failure.
template <class F>
auto run(wb::Runtime& runtime, F body, char const* what) {
  auto outcome = runtime.block_on(wb::timeout(hang_guard, std::move(body)));
  INFO(what << " did not finish within " << hang_guard.count()
            << " s: a call waited for a reply that never came, or the store never ended");
  REQUIRE(outcome.has_value());
  return std::move(*outcome);
}

/// A request with a reply receiver that the test keeps, made by hand (not through a handle).
struct Sent {
  Request request;
  wb::oneshot::Receiver<Reply> reply;
};
Sent get_request(std::string key) {
  auto reply = wb::oneshot::channel<Reply>();
  return Sent{Request(Get{std::move(key), std::move(reply.first)}), std::move(reply.second)};
}
Sent set_request(std::string key, std::string value) {
  auto reply = wb::oneshot::channel<Reply>();
  return Sent{Request(Set{std::move(key), std::move(value), std::move(reply.first)}),
              std::move(reply.second)};
}

}  // namespace

TEST_CASE("the store answers a get with what the last set stored") {
  auto runtime = wb::Runtime::builder().build();
  auto answers = run(
      runtime,
      []() -> wb::Task<std::vector<std::string>> {
        auto channel = wb::mpsc::channel<Request>(8);
        auto store = wb::spawn(run_store(std::move(channel.second)));
        StoreHandle handle(std::move(channel.first));
        std::vector<std::string> seen;
        seen.push_back(show(co_await handle.set("lang", "C++")));
        seen.push_back(show(co_await handle.set("lang", "C++20")));
        seen.push_back(show(co_await handle.get("lang")));
        seen.push_back(show(co_await handle.get("missing")));
        seen.push_back(show(co_await handle.set("empty", "")));
        seen.push_back(show(co_await handle.get("empty")));
        co_return seen;
      }(),
      "six calls to one store");
  std::vector<std::string> const expected{"nullopt", "\"C++\"", "\"C++20\"",
                                          "nullopt", "nullopt", "\"\""};
  std::ostringstream got;
  for (auto const& answer : answers) got << answer << " ";
  INFO("set lang=C++, set lang=C++20, get lang, get missing, set empty=\"\", get empty answered: "
       << got.str()
       << "\nA set answers the value the key had before (nullopt the first time); a get of a key "
          "never set is nullopt, and a key set to \"\" has the value \"\". StoreGone after the "
          "first answer: the store's loop ended after one request");
  CHECK(answers == expected);
}

TEST_CASE("the store answers the requests still queued when the last sender goes") {
  auto runtime = wb::Runtime::builder().build();
  auto channel = wb::mpsc::channel<Request>(8);
  auto first = set_request("k", "1");
  auto second = set_request("k", "2");
  auto third = get_request("k");
  REQUIRE(channel.first.try_send(std::move(first.request)));
  REQUIRE(channel.first.try_send(std::move(second.request)));
  REQUIRE(channel.first.try_send(std::move(third.request)));
  { auto gone = std::move(channel.first); }  // every sender gone, three requests queued
  auto answered = run(runtime, run_store(std::move(channel.second)), "run_store");
  INFO("run_store answered " << answered << " requests of the 3 that were queued when the last "
                             << "sender went: it must drain the queue, and return only when "
                                "recv() says Closed");
  CHECK(answered == 3);
  CHECK(third.reply.try_recv().value() == std::optional<std::string>("2"));
}

TEST_CASE("a client that stopped waiting does not stop the store") {
  auto runtime = wb::Runtime::builder().build();
  auto channel = wb::mpsc::channel<Request>(8);
  auto abandoned = get_request("k");
  auto later = get_request("k");
  REQUIRE(channel.first.try_send(std::move(abandoned.request)));
  REQUIRE(channel.first.try_send(std::move(later.request)));
  { auto gone = std::move(abandoned.reply); }  // that client gave up (a timeout, say)
  { auto gone = std::move(channel.first); }
  std::size_t answered = 0;
  try {
    answered = run(runtime, run_store(std::move(channel.second)), "run_store");
  } catch (wb::NotStarted const&) {
    throw;
  } catch (std::exception const& error) {
    FAIL("run_store threw \"" << error.what()
                              << "\" answering a client that had stopped waiting. Sending the "
                                 "reply fails when its receiver is gone; that is the client's "
                                 "business: ignore the failure and go on");
  }
  INFO("run_store answered " << answered << " of 2 requests; the first client had dropped its "
                             << "reply receiver. A failed reply must not end the store: the "
                                "next client is still waiting");
  CHECK(answered == 2);
  CHECK(later.reply.try_recv().value() == std::nullopt);
}

TEST_CASE("a call to a store that is gone answers StoreGone") {
  auto runtime = wb::Runtime::builder().build();
  auto channel = wb::mpsc::channel<Request>(8);
  { auto gone = std::move(channel.second); }  // the store's task ended
  StoreHandle handle(std::move(channel.first));
  auto answer = run(runtime, handle.get("k"), "get on a closed store");
  INFO("get answered " << show(answer) << " when the store's receiver was gone");
  CHECK(show(answer) == "StoreGone");
}

TEST_CASE("a request the store drops unanswered answers StoreGone") {
  auto runtime = wb::Runtime::builder().build();
  Answer answer = Reply();
  try {
    answer = run(
        runtime,
        []() -> wb::Task<Answer> {
          auto channel = wb::mpsc::channel<Request>(8);
          // A store that takes one request and drops it, reply sender and all, then ends.
          auto careless = wb::spawn([](wb::mpsc::Receiver<Request> requests) -> wb::Task<void> {
            auto request = co_await requests.recv();
            (void)request;
          }(std::move(channel.second)));
          StoreHandle handle(std::move(channel.first));
          co_return co_await handle.get("k");
        }(),
        "get on a store that drops its request");
  } catch (wb::NotStarted const&) {
    throw;
  } catch (std::exception const& error) {
    FAIL("get threw \"" << error.what()
                        << "\" when the store dropped the request unanswered. Awaiting the "
                           "reply's receiver gives Closed then: answer StoreGone");
  }
  INFO("get answered " << show(answer) << " when the store dropped its request unanswered");
  CHECK(show(answer) == "StoreGone");
}

TEST_CASE("many clients on worker threads each get their own answers") {
  constexpr int clients = 16;
  constexpr int calls = 20;
  auto runtime = wb::Runtime::builder().worker_threads(4).build();
  auto wrong = run(
      runtime,
      []() -> wb::Task<std::vector<std::string>> {
        auto channel = wb::mpsc::channel<Request>(4);  // small: clients wait for room
        auto store = wb::spawn(run_store(std::move(channel.second)));
        std::vector<wb::JoinHandle<std::vector<std::string>>> each;
        for (int c = 0; c < clients; ++c) {
          each.push_back(
              wb::spawn([](StoreHandle handle, int c) -> wb::Task<std::vector<std::string>> {
                std::vector<std::string> wrong;
                std::string const key = "client " + std::to_string(c);
                for (int i = 0; i < calls; ++i) {
                  auto before = co_await handle.set(key, std::to_string(i));
                  std::string const expected = i == 0 ? "nullopt" : std::to_string(i - 1);
                  std::string const got =
                      before && *before ? **before : (before ? "nullopt" : "StoreGone");
                  if (got != expected) wrong.push_back(key + ": " + got + " for " + expected);
                }
                co_return wrong;
              }(StoreHandle(channel.first), c)));
        }
        { auto gone = std::move(channel.first); }
        std::vector<std::string> wrong;
        for (auto& client : each) {
          auto theirs = co_await client;
          wrong.insert(wrong.end(), theirs.begin(), theirs.end());
        }
        auto answered = co_await store;
        if (answered != static_cast<std::size_t>(clients * calls)) {
          wrong.push_back("the store answered " + std::to_string(answered) + " requests of " +
                          std::to_string(clients * calls));
        }
        co_return wrong;
      }(),
      "16 clients of one store on 4 worker threads");
  std::ostringstream text;
  for (auto const& line : wrong) text << "\n  " << line;
  INFO("answers that were wrong:" << text.str());
  CHECK(wrong.empty());
}

TEST_CASE("a call passes every oracle while the store runs on a worker thread") {
  auto runtime = wb::Runtime::builder().worker_threads(1).build();
  auto channel = wb::mpsc::channel<Request>(8);
  auto store = runtime.spawn(run_store(std::move(channel.second)));
  StoreHandle handle(channel.first);
  CHECK(show(wb::oracle::parking(handle.set("k", "v")).value) == "nullopt");
  CHECK(show(wb::oracle::spurious(handle.get("k")).value) == "\"v\"");
  CHECK(show(wb::oracle::waker_swap(handle.get("k")).value) == "\"v\"");
  CHECK(show(wb::oracle::threaded(handle.get("k")).value) == "\"v\"");
  CHECK(show(wb::oracle::after_ready(handle.get("k")).value) == "\"v\"");
  { auto gone = std::move(channel.first); }
  { auto gone = std::move(handle); }
}
