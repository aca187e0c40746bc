// Tests for BoxFuture and AnyCache: they must work (poll through, wake through, get what was
// set), own what they hold (destroy it once, never copy it, never leak it), and cost what
// dynamic dispatch costs — two pointers, and one allocation per boxed future — and no more.
#include <allocation_count.hpp>
#include <any_cache.hpp>
#include <array>
#include <box_future.hpp>
#include <cache.hpp>
#include <chrono>
#include <memory>
#include <memory_cache.hpp>
#include <optional>
#include <string>
#include <test_caches.hpp>
#include <utility>
#include <vector>
#include <wb/core/poll_fn.hpp>
#include <wb/core/ready.hpp>
#include <wb/core/yield_now.hpp>
#include <wb/exec/block_on_spin.hpp>
#include <wb/oracle/oracles.hpp>
#include <wb/oracle/virtual_time.hpp>
#include <wb/task/task.hpp>
#include <wb/testing/catch.hpp>
#include <wb/testing/delayed_wake.hpp>
#include <wb/testing/heap_in_use.hpp>

namespace oracle = wb::oracle;
using namespace std::chrono_literals;
using std::chrono::duration_cast;
using std::chrono::milliseconds;
using Lookup = std::optional<std::string>;

namespace {

long long in_ms(wb::Duration duration) { return duration_cast<milliseconds>(duration).count(); }

/// A future Ready with 7 at once, that counts the instances alive.
struct LiveFuture {
  using Output = int;
  static inline int alive = 0;
  LiveFuture() { ++alive; }
  LiveFuture(LiveFuture&&) noexcept { ++alive; }
  LiveFuture& operator=(LiveFuture&&) = delete;
  ~LiveFuture() { --alive; }
  wb::Poll<int> poll(wb::Context&) { return 7; }
};

/// A future Ready with 7 at once that carries a kilobyte, so that one left on the heap shows.
struct BulkyFuture {
  using Output = int;
  std::array<char, 1024> payload{};
  wb::Poll<int> poll(wb::Context&) { return 7; }
};

/// A MemoryCache that carries a kilobyte beside its entries, so that one left on the heap shows.
struct BulkyCache {
  auto get(std::string key) { return entries.get(std::move(key)); }
  auto set(std::string key, std::string value) {
    return entries.set(std::move(key), std::move(value));
  }

  std::array<char, 1024> payload{};
  MemoryCache entries;
};

/// Bytes the heap holds now beyond `before` (0 when it holds less).
std::size_t heap_grown_since(std::size_t before) {
  std::size_t const now = wb::testing::heap_in_use();
  return now > before ? now - before : 0;
}

wb::Task<int> seven_later() {
  co_await wb::yield_now();
  co_return 7;
}

BoxFuture<int> boxed_seven() { return wb::ready(7); }  // the implicit conversion at work

std::string box_leak(int alive) {
  return "a destroyed BoxFuture left its future alive (" + std::to_string(alive) +
         " still alive): ~BoxFuture must call vtable_->destroy(future_), and the table's destroy "
         "must delete static_cast<F*>(future)";
}

std::string cache_leak(long alive) {
  return "a destroyed AnyCache left its cache alive (" + std::to_string(alive) +
         " still alive): ~AnyCache must call vtable_->destroy(cache_), and the table's destroy "
         "must delete static_cast<C*>(cache)";
}

}  // namespace

TEST_CASE("a BoxFuture holds futures of any type in two pointers") {
  CHECK(wb::block_on_spin(BoxFuture<int>(wb::ready(7))) == 7);
  CHECK(wb::block_on_spin(BoxFuture<int>(seven_later())) == 7);
  CHECK(wb::block_on_spin(boxed_seven()) == 7);
  CHECK(wb::block_on_spin(
            BoxFuture<int>(wb::poll_fn([](wb::Context&) -> wb::Poll<int> { return 7; }))) == 7);
  CHECK(sizeof(BoxFuture<int>) == 2 * sizeof(void*));
  CHECK(wb::Future<BoxFuture<int>>);
}

TEST_CASE("a BoxFuture polls the future it holds with the waker it is given") {
  auto out = oracle::parking(BoxFuture<std::size_t>(wb::testing::DelayedWake(20ms)));
  INFO("the boxed future was polled " << out.value << " times; woken once, it needs 2");
  CHECK(out.value == 2);
  CHECK(oracle::waker_swap(BoxFuture<std::size_t>(wb::testing::DelayedWake(20ms))).value == 2);
}

TEST_CASE("a BoxFuture allocates once when made and never when polled") {
  std::size_t when_made = 0;
  std::size_t when_polled = 0;
  int value = 0;
  {
    allocation_count::Since since;
    BoxFuture<int> boxed(wb::ready(7));
    when_made = since.count();
    allocation_count::Since polling;
    value = wb::block_on_spin(std::move(boxed));
    when_polled = polling.count();
  }
  CHECK(value == 7);
  INFO("making a BoxFuture allocated " << when_made << " times and polling it " << when_polled
                                       << " times; it should be 1 and 0: one heap block for the "
                                          "future, and a table of functions that is static");
  CHECK(when_made == 1);
  CHECK(when_polled == 0);
}

TEST_CASE("a BoxFuture destroys its future when it is destroyed") {
  int const before = LiveFuture::alive;
  { BoxFuture<int> never_polled{LiveFuture()}; }
  CHECK(wb::block_on_spin(BoxFuture<int>(LiveFuture())) == 7);
  INFO(box_leak(LiveFuture::alive - before));
  CHECK(LiveFuture::alive == before);
}

TEST_CASE("a moved-from BoxFuture is empty and safe to destroy") {
  int const before = LiveFuture::alive;
  {
    BoxFuture<int> first{LiveFuture()};
    BoxFuture<int> second(std::move(first));
    CHECK(wb::block_on_spin(std::move(second)) == 7);
  }  // `first` is destroyed here with nothing inside: check the vtable before calling it
  INFO(box_leak(LiveFuture::alive - before));
  CHECK(LiveFuture::alive == before);
}

TEST_CASE("an AnyCache is a Cache in two pointers") {
  AnyCache cache{MemoryCache()};
  wb::block_on_spin(cache.set("k", "v"));
  CHECK(wb::block_on_spin(cache.get("k")) == Lookup("v"));
  CHECK(Cache<AnyCache>);
  CHECK(sizeof(AnyCache) == 2 * sizeof(void*));
}

TEST_CASE("an AnyCache over a MemoryCache returns what was set") {
  AnyCache cache{MemoryCache()};
  oracle::spin(cache.set("greeting", "Hello, async!"));
  CHECK(oracle::spin(cache.get("greeting")).value == Lookup("Hello, async!"));
  CHECK(oracle::spin(cache.get("farewell")).value == std::nullopt);
}

TEST_CASE("an AnyCache over a cache with a round trip takes that cache's time") {
  auto log = std::make_shared<CacheLog>();
  AnyCache cache{CountingCache(log, 40ms)};
  auto set = oracle::virtual_time(cache.set("k", "v"));
  auto get = oracle::virtual_time(cache.get("k"));
  CHECK(get.value == Lookup("v"));
  INFO("a set took " << in_ms(set.elapsed) << " ms and a get " << in_ms(get.elapsed)
                     << " ms of virtual time; the cache inside takes 40 for each");
  CHECK(set.elapsed == 40ms);
  CHECK(get.elapsed == 40ms);
  CHECK(log->gets == 1);
  CHECK(log->sets == 1);
}

TEST_CASE("caches of different kinds live side by side in one vector") {
  auto log = std::make_shared<CacheLog>();
  std::vector<AnyCache> tiers;
  tiers.emplace_back(MemoryCache());
  tiers.emplace_back(CountingCache(log, 10ms));
  for (auto& tier : tiers) oracle::virtual_time(tier.set("k", "in every tier"));
  for (auto& tier : tiers) {
    CHECK(oracle::virtual_time(tier.get("k")).value == Lookup("in every tier"));
  }
  CHECK(log->sets == 1);
  CHECK(log->gets == 1);
}

TEST_CASE("an AnyCache moves its cache in and never copies it") {
  InstanceCountingCache::reset_copies();
  {
    InstanceCountingCache cache;
    AnyCache from_a_variable(std::move(cache));
    AnyCache from_a_temporary{InstanceCountingCache()};
    wb::block_on_spin(from_a_variable.set("k", "v"));
  }
  INFO("making two AnyCaches copied the cache " << InstanceCountingCache::copies()
                                                << " times. Move it onto the heap: new "
                                                   "C(std::move(cache)); a copy of a cache is "
                                                   "another cache, with its own entries");
  CHECK(InstanceCountingCache::copies() == 0);
}

TEST_CASE("an AnyCache destroys its cache when it is destroyed") {
  long const before = InstanceCountingCache::alive();
  {
    AnyCache cache{InstanceCountingCache()};
    wb::block_on_spin(cache.set("k", "v"));
  }
  INFO(cache_leak(InstanceCountingCache::alive() - before));
  CHECK(InstanceCountingCache::alive() == before);
}

TEST_CASE("a moved AnyCache hands its cache over") {
  long const before = InstanceCountingCache::alive();
  {
    AnyCache first{InstanceCountingCache()};
    AnyCache second(std::move(first));
    CHECK(wb::block_on_spin(second.get("k")) == std::nullopt);
  }
  INFO(cache_leak(InstanceCountingCache::alive() - before));
  CHECK(InstanceCountingCache::alive() == before);
}

TEST_CASE("a call through an AnyCache costs one allocation more than a direct call") {
  MemoryCache memory;
  auto log = std::make_shared<CacheLog>();
  CountingCache counting(log);
  AnyCache any_memory{MemoryCache()};
  AnyCache any_counting{CountingCache(log)};

  auto allocations = [](auto&& make_call) {
    allocation_count::Since since;
    (void)wb::block_on_spin(make_call());
    return since.count();
  };
  std::size_t const memory_direct = allocations([&] { return memory.get("k"); });
  std::size_t const memory_boxed = allocations([&] { return any_memory.get("k"); });
  std::size_t const coroutine_direct = allocations([&] { return counting.get("k"); });
  std::size_t const coroutine_boxed = allocations([&] { return any_counting.get("k"); });

  INFO("allocations per get — MemoryCache: " << memory_direct << " direct, " << memory_boxed
                                             << " through AnyCache; a coroutine cache: "
                                             << coroutine_direct << " direct, " << coroutine_boxed
                                             << " through AnyCache. Dynamic dispatch should add "
                                                "exactly one: the BoxFuture");
  CHECK(memory_direct == 0);
  CHECK(memory_boxed == 1);
  CHECK(coroutine_direct == 1);
  CHECK(coroutine_boxed == 2);
}

TEST_CASE("a BoxFuture gives back the memory of its future") {
  // Measured as heap memory, not instances: a destroy that ends the future's life without
  // freeing its block leaves no instance alive and the block lost all the same.
  constexpr int boxes = 50;
  std::size_t const before = wb::testing::heap_in_use();
  for (int i = 0; i < boxes; ++i) {
    if (i % 2 == 0) {
      BoxFuture<int> never_polled{BulkyFuture()};
    } else {
      CHECK(wb::block_on_spin(BoxFuture<int>(BulkyFuture())) == 7);
    }
  }
  std::size_t const grown = heap_grown_since(before);
  INFO("after " << boxes << " BoxFutures of a future of " << sizeof(BulkyFuture)
                << " bytes were made and destroyed, the heap held " << grown
                << " bytes more than before (all " << boxes << " futures would be "
                << boxes * sizeof(BulkyFuture)
                << "). A BoxFuture owns the block it allocated: destroying it must end the "
                   "future's life and give the block back. This usually means one of: the "
                   "table's destroy runs the destructor (->~F()) without freeing the memory, "
                   "~BoxFuture never calls destroy, or a second copy of the future is made and "
                   "never freed. delete static_cast<F*>(future) does both");
  CHECK(grown < sizeof(BulkyFuture) * boxes / 4);
}

TEST_CASE("an AnyCache gives back the memory of its cache") {
  constexpr int caches = 50;
  std::size_t const before = wb::testing::heap_in_use();
  for (int i = 0; i < caches; ++i) {
    AnyCache cache{BulkyCache()};
    if (i % 2 == 0) wb::block_on_spin(cache.set("k", "v"));
  }
  std::size_t const grown = heap_grown_since(before);
  INFO("after " << caches << " AnyCaches over a cache of " << sizeof(BulkyCache)
                << " bytes were made and destroyed, the heap held " << grown
                << " bytes more than before (all " << caches << " caches would be "
                << caches * sizeof(BulkyCache)
                << "). An AnyCache owns the cache it moved onto the heap: destroying it must "
                   "end the cache's life and give its block back. This usually means one of: "
                   "the table's destroy runs the destructor (->~C()) without freeing the memory, "
                   "~AnyCache never calls destroy, or the cache is copied onto the heap twice. "
                   "delete static_cast<C*>(cache) does both");
  CHECK(grown < sizeof(BulkyCache) * caches / 4);
}
