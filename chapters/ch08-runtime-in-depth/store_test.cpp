// Tests for the store actor: get and set answered from the map the actor owns, an empty value
// told apart from no value, requests still queued when the last handle goes, a client that
// stopped waiting, a store that is gone or drops a request, many clients on worker threads, and
// a call driven by the oracles while the store runs elsewhere, and random request sequences
// checked against a model of the store.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
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
#include <wb/testing/test_seed.hpp>
#include <wb/time/sleep.hpp>
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

/// The model the random sequences are checked against: a map that carries out every request in
/// the order it arrives, and remembers which request left each value (for the messages).
class ModelStore {
 public:
  Reply get(std::string const& key) const {
    auto found = data_.find(key);
    if (found == data_.end()) return std::nullopt;
    return found->second.value;
  }
  Reply set(std::string const& key, std::string value, int number) {
    Reply before = get(key);
    data_[key] = Entry{std::move(value), number};
    return before;
  }
  /// "what #4 left" or "no set of \"a\" before it".
  std::string why(std::string const& key) const {
    auto found = data_.find(key);
    if (found == data_.end()) return "no set of \"" + key + "\" came before it";
    return "what #" + std::to_string(found->second.number) + " left";
  }

 private:
  struct Entry {
    std::string value;
    int number;
  };
  std::map<std::string, Entry> data_;
};

/// What one round of random requests saw: every request as sent, and the first wrong answer.
struct RoundReport {
  std::vector<std::string> sent;  // "#3 set \"a\"=\"x\" (its client gave up at once)"
  std::string wrong;              // empty while every answer agreed with the model
  std::size_t requests = 0;
  std::size_t answered = 0;  // what run_store returned
  bool store_ended = false;  // run_store returned after the last sender went
};

void note_wrong(RoundReport& report, std::string what) {
  if (report.wrong.empty()) report.wrong = std::move(what);
}

/// A request sent by hand whose reply the driver awaits later, in a random order.
struct Awaited {
  int number;
  std::string text;
  std::string expected;
  std::string because;
  wb::oneshot::Receiver<Reply> reply;
};

std::string show_received(wb::Expected<wb::Expected<Reply, wb::Closed>, wb::Elapsed> const& got) {
  if (!got) return "no answer within 1 s";
  if (!*got) return "no answer (its reply sender was dropped unanswered)";
  return show(Answer(**got));
}

/// One round: a store on `capacity` requests, and one driver that sends random gets and sets by
/// hand (some awaited later in a random order, some whose client gives up before the store
/// answers, some given up later), calls through a StoreHandle, and lets virtual time pass. The
/// driver sends one request at a time, so the order of arrival is the order of sending, and the
/// model knows every answer.
wb::Task<RoundReport> random_round(std::uint64_t seed, std::size_t capacity) {
  std::mt19937_64 random(seed);
  auto pick = [&random](int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(random);
  };
  std::vector<std::string> const keys{"a", "b", ""};
  std::vector<std::string> const values{"", "x", "y", "a longer value"};

  auto channel = wb::mpsc::channel<Request>(capacity);
  auto store = wb::spawn(run_store(std::move(channel.second)));
  StoreHandle handle(channel.first);
  auto sender = std::move(channel.first);
  ModelStore model;
  RoundReport report;
  std::vector<Awaited> waiting;
  int const steps = pick(8, 24);
  for (int step = 0; step < steps && report.wrong.empty(); ++step) {
    int const kind = pick(0, 9);
    bool const is_set = pick(0, 1) == 1;
    std::string const key = keys[static_cast<std::size_t>(pick(0, 2))];
    std::string const value = values[static_cast<std::size_t>(pick(0, 3))];
    int const number = static_cast<int>(report.requests) + 1;
    std::string const text =
        is_set ? "set \"" + key + "\"=\"" + value + "\"" : "get \"" + key + "\"";
    std::string const because = model.why(key);
    if (kind <= 5) {
      // A request sent by hand: its reply is awaited later (kind 0-3) or its client gives up
      // at once, before the store can answer (kind 4-5).
      Reply const expected = is_set ? model.set(key, value, number) : model.get(key);
      auto made = is_set ? set_request(key, value) : get_request(key);
      auto sent = co_await sender.send(std::move(made.request));
      ++report.requests;
      if (!sent) {
        note_wrong(report, "request #" + std::to_string(number) + " (" + text +
                               ") could not be sent: the store's receiver was gone");
        break;
      }
      if (kind <= 3) {
        report.sent.push_back("#" + std::to_string(number) + " " + text);
        waiting.push_back(
            Awaited{number, text, show(Answer(expected)), because, std::move(made.reply)});
      } else {
        report.sent.push_back("#" + std::to_string(number) + " " + text +
                              " (its client gave up at once)");
        auto gone = std::move(made.reply);
      }
    } else if (kind == 6 && !waiting.empty()) {
      // A client gives up on a request sent earlier, answered or not.
      auto const at = static_cast<std::size_t>(pick(0, static_cast<int>(waiting.size()) - 1));
      report.sent.push_back("(the client of #" + std::to_string(waiting[at].number) + " gave up)");
      waiting.erase(waiting.begin() + static_cast<std::ptrdiff_t>(at));
    } else if (kind == 7 && !waiting.empty()) {
      // A reply awaited now, in a random order; virtual time passes only when the store idles.
      auto const at = static_cast<std::size_t>(pick(0, static_cast<int>(waiting.size()) - 1));
      Awaited one = std::move(waiting[at]);
      waiting.erase(waiting.begin() + static_cast<std::ptrdiff_t>(at));
      auto answer = wb::timeout(1s, std::move(one.reply));
      auto got = co_await answer;
      std::string const seen = show_received(got);
      if (seen != one.expected) {
        note_wrong(report, "request #" + std::to_string(one.number) + " (" + one.text + ") got " +
                               seen + ", and the model answers " + one.expected + " (" +
                               one.because + ")");
      }
    } else if (kind == 8) {
      // A call through the StoreHandle, awaited at once.
      Reply const expected = is_set ? model.set(key, value, number) : model.get(key);
      ++report.requests;
      report.sent.push_back("#" + std::to_string(number) + " " + text + " (through StoreHandle)");
      Answer answer = Reply();
      if (is_set) {
        answer = co_await handle.set(key, value);
      } else {
        answer = co_await handle.get(key);
      }
      if (show(answer) != show(Answer(expected))) {
        note_wrong(report, "request #" + std::to_string(number) + " (" + text +
                               ", through StoreHandle) got " + show(answer) +
                               ", and the model answers " + show(Answer(expected)) + " (" +
                               because + ")");
      }
    } else {
      auto const pause = std::chrono::milliseconds(pick(1, 5));
      report.sent.push_back("(" + std::to_string(pause.count()) + " ms pass)");
      co_await wb::sleep(pause);
    }
  }
  // Every sender goes: the store answers what is still queued, then returns.
  { auto gone = std::move(sender); }
  { auto gone = std::move(handle); }
  auto ended = wb::timeout(1s, std::move(store));
  auto answered = co_await ended;
  if (answered) {
    report.store_ended = true;
    report.answered = *answered;
  }
  for (auto& one : waiting) {
    auto got = one.reply.try_recv();
    std::string const seen = got ? show(Answer(*got)) : "no answer";
    if (seen != one.expected) {
      note_wrong(report, "request #" + std::to_string(one.number) + " (" + one.text + ") got " +
                             seen + ", and the model answers " + one.expected + " (" + one.because +
                             ")");
    }
  }
  co_return report;
}

std::string listed(std::vector<std::string> const& lines) {
  std::string text;
  for (auto const& line : lines) text += (text.empty() ? "" : " · ") + line;
  return text;
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

TEST_CASE("random gets and sets with clients that give up get the answers of a model store") {
  // Differential: 200 rounds of random requests (keys and values that include "", sets whose
  // client gives up before the answer, replies awaited in a random order, calls through the
  // handle, virtual time passing), every answer checked against ModelStore above. One round in
  // four runs on two worker threads. The seed is new each run and printed with a failure.
  auto const seed = wb::testing::TestSeed::pick();
  std::mt19937_64 random(seed.value);
  for (int round = 1; round <= 200; ++round) {
    auto const round_seed = random();
    auto const capacity =
        static_cast<std::size_t>(std::uniform_int_distribution<int>(1, 4)(random));
    bool const threaded = round % 4 == 0;
    auto builder = wb::Runtime::builder();
    builder.virtual_time();
    if (threaded) builder.worker_threads(2);
    auto runtime = builder.build();
    auto report = run(runtime, random_round(round_seed, capacity), "a round of random requests");
    std::string const where = "round " + std::to_string(round) + " of 200 (a channel of " +
                              std::to_string(capacity) + (threaded ? ", two worker threads" : "") +
                              ")";
    std::string const rule =
        "A store carries out every request that reaches it, in the order it arrives, even when "
        "its client has stopped waiting: a set changes the value whether or not anyone reads "
        "its answer. This usually means one of: a request skipped because its client is gone, a "
        "set that answers the new value, \"\" taken for a missing key (data[key]), a set that "
        "does not replace the value (emplace and insert keep the old one), or a loop that ended "
        "before recv() said Closed (StoreGone, no answer)";
    if (!report.wrong.empty()) {
      FAIL(where << ": " << report.wrong
                 << ".\nThe requests in the order they were sent: " << listed(report.sent) << "\n"
                 << rule << " (" << seed.replay("ch08") << ")");
    }
    if (!report.store_ended || report.answered != report.requests) {
      FAIL(where << ": run_store "
                 << (report.store_ended
                         ? "returned " + std::to_string(report.answered)
                         : std::string("had not returned 1 s after the last sender went"))
                 << " for " << report.requests
                 << " requests sent. It answers every request, the ones whose client gave up "
                    "included, and returns when recv() says Closed.\nThe requests: "
                 << listed(report.sent) << " (" << seed.replay("ch08") << ")");
    }
  }
}
