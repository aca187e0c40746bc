// Tests for RemoteCache: it must be a Cache, keep what it was given, and spend exactly one round
// trip of virtual time per call without ever blocking the executor's thread.
#include <cache.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <remote_cache.hpp>
#include <string>
#include <wb/combinator/join.hpp>
#include <wb/oracle/oracles.hpp>
#include <wb/oracle/virtual_time.hpp>
#include <wb/task/task.hpp>
#include <wb/testing/catch.hpp>
#include <wb/testing/test_seed.hpp>

namespace oracle = wb::oracle;
using namespace std::chrono_literals;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

namespace {

long long in_ms(wb::Duration duration) { return duration_cast<milliseconds>(duration).count(); }

wb::Task<std::optional<std::string>> set_then_get(RemoteCache& cache, std::string key,
                                                  std::string value) {
  co_await cache.set(key, std::move(value));
  co_return co_await cache.get(std::move(key));
}

}  // namespace

TEST_CASE("a remote cache is a Cache") {
  RemoteCache cache(10ms);
  CHECK(Cache<RemoteCache>);
  CHECK(oracle::virtual_time(cache.get("nothing")).value == std::nullopt);
}

TEST_CASE("a remote cache returns what was set") {
  RemoteCache cache(10ms);
  auto out = oracle::virtual_time(set_then_get(cache, "greeting", "Hello, async!"));
  CHECK(out.value == std::optional<std::string>("Hello, async!"));
}

TEST_CASE("a remote cache returns nothing for a key never set") {
  RemoteCache cache(10ms);
  oracle::virtual_time(cache.set("greeting", "Hello"));
  CHECK(oracle::virtual_time(cache.get("farewell")).value == std::nullopt);
}

TEST_CASE("a second set replaces the first") {
  RemoteCache cache(10ms);
  oracle::virtual_time(cache.set("greeting", "Hello"));
  oracle::virtual_time(cache.set("greeting", "Welcome back"));
  auto out = oracle::virtual_time(cache.get("greeting"));
  INFO("after setting \"Hello\" and then \"Welcome back\", the cache answered "
       << out.value.value_or("nothing")
       << ": the second set did not replace the first. std::map::insert and emplace leave an "
          "existing entry alone; insert_or_assign (or operator[]) replaces it");
  CHECK(out.value == std::optional<std::string>("Welcome back"));
}

TEST_CASE("a remote get takes one round trip of virtual time") {
  RemoteCache cache(50ms);
  auto out = oracle::virtual_time(cache.get("greeting"));
  INFO("a get took " << in_ms(out.elapsed)
                     << " ms of virtual time; the round trip is 50. Wait with co_await "
                        "wb::sleep(latency_), on the executor's clock — std::this_thread::"
                        "sleep_for blocks the thread and no executor's clock sees it");
  CHECK(out.elapsed == 50ms);
}

TEST_CASE("a remote set takes one round trip of virtual time") {
  RemoteCache cache(50ms);
  auto out = oracle::virtual_time(cache.set("greeting", "Hello"));
  INFO("a set took " << in_ms(out.elapsed)
                     << " ms of virtual time; the round trip is 50: a set travels to the "
                        "server too, so it waits as a get does");
  CHECK(out.elapsed == 50ms);
}

TEST_CASE("two gets joined take one round trip and not two") {
  RemoteCache cache(50ms);
  auto out = oracle::virtual_time(wb::join(cache.get("a"), cache.get("b")));
  INFO("two gets awaited together took " << in_ms(out.elapsed) << " ms of virtual time, not 50");
  CHECK(out.elapsed == 50ms);
}

TEST_CASE("a remote cache never blocks the executor thread") {
  RemoteCache cache(120ms);
  oracle::Options options;
  options.max_poll_time = 100ms;
  oracle::parking(cache.set("k", "v"), options);
  CHECK(oracle::parking(cache.get("k"), options).value == std::optional<std::string>("v"));
}

TEST_CASE("a remote cache keeps its own copy of the key it was given") {
  RemoteCache cache(10ms);
  oracle::virtual_time(cache.set("the key the caller asked for", "found"));
  std::optional<std::string> key("the key the caller asked for");
  auto get = cache.get(*key);
  // The caller's string is destroyed before the get is first polled, and another string is
  // built in its place. A get that owns its key (a parameter taken by value) still has the right
  // one; a get that kept a reference now reads the newcomer.
  key.emplace("a string built where the key was");
  auto out = oracle::virtual_time(std::move(get));
  INFO(
      "the get did not find the key it was given: it kept a reference to the caller's string, "
      "which was destroyed and replaced before the round trip ended. Take the key as "
      "std::string by value, so that the coroutine frame keeps a copy of its own");
  CHECK(out.value == std::optional<std::string>("found"));
}

TEST_CASE("random gets and sets each take one round trip and answer what a map answers") {
  // Differential: 40 runs of 30 calls each — gets and sets over three keys, so that a get may
  // hit or miss and a set may add or replace — against a std::map. Each call is run on its own
  // under virtual time and must take exactly one round trip whichever path it takes. The seed is
  // new each run and printed with a failure, so the same calls can be run again.
  auto const seed = wb::testing::TestSeed::pick();
  std::mt19937_64 random(seed.value);
  std::string const keys[] = {"ada", "bo", "cy"};
  for (int run = 1; run <= 40; ++run) {
    auto const latency =
        std::chrono::milliseconds(std::uniform_int_distribution<int>(1, 90)(random));
    RemoteCache cache(latency);
    std::map<std::string, std::string> model;
    std::string calls;  // what was done so far, to show with a failure
    for (int call = 1; call <= 30; ++call) {
      std::string const key = keys[std::uniform_int_distribution<int>(0, 2)(random)];
      bool const is_set = std::bernoulli_distribution(0.4)(random);
      wb::Duration elapsed{};
      std::string what;
      if (is_set) {
        std::string const value = key + "#" + std::to_string(call);
        calls += "set(" + key + ", " + value + ") ";
        auto out = oracle::virtual_time(cache.set(key, value));
        elapsed = out.elapsed;
        what =
            std::string("a set of a key ") + (model.count(key) ? "already there" : "not there yet");
        model.insert_or_assign(key, value);
      } else {
        calls += "get(" + key + ") ";
        auto out = oracle::virtual_time(cache.get(key));
        elapsed = out.elapsed;
        auto const found = model.find(key);
        auto const expected = found == model.end() ? std::optional<std::string>()
                                                   : std::optional<std::string>(found->second);
        what = found == model.end() ? "a get that missed" : "a get that hit";
        if (out.value != expected) {
          FAIL("after " << calls << "the get of " << key << " answered "
                        << out.value.value_or("nothing") << " where the last set left "
                        << expected.value_or("nothing")
                        << ". A get answers what the latest set of that key stored, or nothing "
                           "if none did. This usually means one of: a set that keeps an old "
                           "value (insert or emplace), an answer taken from somewhere other than "
                           "server_, or a lookup of another key ("
                        << seed.replay("ch10") << ")");
        }
      }
      if (elapsed != latency) {
        FAIL(what << " took " << in_ms(elapsed) << " ms of virtual time and the round trip is "
                  << in_ms(latency) << " ms (call " << call << ": " << calls
                  << "). Every call goes to the server and back, whether the key is there or "
                     "not: a hit, a miss, a first set and a replacing set each wait exactly "
                     "one round trip (co_await wb::sleep(latency_)) before using server_. This "
                     "usually means one of: a path that answers without waiting, a path that "
                     "waits twice, or a wait of another length ("
                  << seed.replay("ch10") << ")");
      }
    }
  }
}
