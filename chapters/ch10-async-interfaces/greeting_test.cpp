// Tests for cached_greeting over two kinds of Cache: the MemoryCache, whose futures are ready at
// once and allocate nothing, and a CountingCache whose calls are coroutines with a round trip of
// virtual time. Allocations are counted on the test's thread, around the call alone.
#include <allocation_count.hpp>
#include <chrono>
#include <greeting.hpp>
#include <map>
#include <memory>
#include <memory_cache.hpp>
#include <optional>
#include <string>
#include <test_caches.hpp>
#include <wb/exec/block_on_spin.hpp>
#include <wb/oracle/oracles.hpp>
#include <wb/oracle/virtual_time.hpp>
#include <wb/testing/catch.hpp>

namespace oracle = wb::oracle;
using namespace std::chrono_literals;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

namespace {

long long in_ms(wb::Duration duration) { return duration_cast<milliseconds>(duration).count(); }

std::optional<std::string> peek(MemoryCache& cache, std::string key) {
  return wb::block_on_spin(cache.get(std::move(key)));
}

/// What a cache holds, as the learner would write it down: {"greeting:Ada": "Hello, Ada!"}.
std::string show(std::map<std::string, std::string> const& entries) {
  std::string text = "{";
  for (auto const& [key, value] : entries) {
    text += (text.size() == 1 ? "\"" : ", \"") + key + "\": \"" + value + "\"";
  }
  return text + "}";
}

/// Why a miss left no greeting under its key, from what the cache holds: nothing at all, or
/// something somewhere else.
std::string why_not_stored(std::size_t entries) {
  if (entries == 0) {
    return "Nothing was stored. This usually means one of: no set was made, or a set was made "
           "and never co_awaited — futures are lazy, and a set that is never awaited never runs";
  }
  return "Something was stored, under another key or with another value. This usually means "
         "one of: the key was moved away before the set used it (co_await "
         "cache.get(std::move(key)) leaves key empty), or the set was given another key or "
         "value than the get";
}

}  // namespace

TEST_CASE("on a miss the greeting is made and stored in the cache") {
  MemoryCache cache;
  auto out = oracle::spin(cached_greeting(cache, "Ada"));
  CHECK(out.value == "Hello, Ada!");
  INFO("after a miss the cache should hold \"Hello, Ada!\" under \"greeting:Ada\"; it holds "
       << cache.size() << " entr" << (cache.size() == 1 ? "y" : "ies") << ", and under "
       << "\"greeting:Ada\" " << peek(cache, "greeting:Ada").value_or("nothing") << ". "
       << why_not_stored(cache.size()));
  CHECK(peek(cache, "greeting:Ada") == std::optional<std::string>("Hello, Ada!"));
}

TEST_CASE("on a hit the greeting comes from the cache") {
  MemoryCache cache;
  wb::block_on_spin(cache.set("greeting:Grace", "Welcome back, Grace"));
  CHECK(oracle::spin(cached_greeting(cache, "Grace")).value == "Welcome back, Grace");
}

TEST_CASE("a hit asks the cache once and stores nothing") {
  auto log = std::make_shared<CacheLog>();
  log->entries["greeting:Grace"] = "Welcome back, Grace";
  CountingCache cache(log);
  CHECK(oracle::spin(cached_greeting(cache, "Grace")).value == "Welcome back, Grace");
  INFO("a hit made " << log->gets << " gets and " << log->sets
                     << " sets; it needs one get and no set: return the cached greeting as soon "
                        "as get finds it");
  CHECK(log->gets == 1);
  CHECK(log->sets == 0);
}

TEST_CASE("a miss asks once and stores once") {
  auto log = std::make_shared<CacheLog>();
  CountingCache cache(log);
  CHECK(oracle::spin(cached_greeting(cache, "Ada")).value == "Hello, Ada!");
  bool const stored_right =
      log->entries == std::map<std::string, std::string>{{"greeting:Ada", "Hello, Ada!"}};
  INFO("a miss made " << log->gets << " gets and " << log->sets
                      << " sets, and left the cache holding " << show(log->entries)
                      << "; it needs one get, then one set of {\"greeting:Ada\": \"Hello, "
                         "Ada!\"}. "
                      << (stored_right ? "" : why_not_stored(log->entries.size())));
  CHECK(log->gets == 1);
  CHECK(log->sets == 1);
  CHECK(stored_right);
}

TEST_CASE("the same function works over a cache with a round trip") {
  auto log = std::make_shared<CacheLog>();
  CountingCache cache(log, 40ms);
  auto miss = oracle::virtual_time(cached_greeting(cache, "Ada"));
  CHECK(miss.value == "Hello, Ada!");
  INFO("a miss took " << in_ms(miss.elapsed)
                      << " ms of virtual time: one round trip for the get, one for the set");
  CHECK(miss.elapsed == 80ms);
  auto hit = oracle::virtual_time(cached_greeting(cache, "Ada"));
  CHECK(hit.value == "Hello, Ada!");
  CHECK(hit.elapsed == 40ms);
}

TEST_CASE("over a MemoryCache a greeting allocates nothing but its own coroutine frame") {
  MemoryCache cache;
  wb::block_on_spin(cache.set("greeting:Ada", "Hi, Ada"));  // short strings: no heap memory
  std::string hit;
  std::size_t made = 0;
  {
    allocation_count::Since since;
    hit = wb::block_on_spin(cached_greeting(cache, "Ada"));
    made = since.count();
  }
  CHECK(hit == "Hi, Ada");
  INFO("one greeting from a MemoryCache made "
       << made
       << " allocations. The only one it needs is the coroutine frame of cached_greeting: await "
          "the cache's own futures as they are — wrapping them in a BoxFuture, an AnyCache or a "
          "std::function puts each on the heap, a cost static dispatch never pays");
  CHECK(made <= 1);
}

TEST_CASE("over a MemoryCache a miss allocates nothing but its own coroutine frame") {
  MemoryCache cache;
  std::string made_greeting;
  std::size_t made = 0;
  {
    allocation_count::Since since;
    made_greeting = wb::block_on_spin(cached_greeting(cache, "Bo"));
    made = since.count();
  }
  CHECK(made_greeting == "Hello, Bo!");
  INFO("a miss on a MemoryCache made "
       << made
       << " allocations besides storing the greeting. The only one it needs is the coroutine "
          "frame of cached_greeting: await the cache's own futures as they are");
  // Storing costs the map one node; the call itself, one frame.
  CHECK(made <= 2);
}
