// Exercise, part 2: AnyCache — any Cache behind one type, chosen at run time (dynamic
// dispatch): the cache is moved onto the heap and reached through a pointer and a table of
// functions; each call returns a BoxFuture, since each kind of cache has futures of its own
// types. Finish box_future.hpp first. Read book/src/ch10-async-interfaces.md, then replace the
// WB_TODOs.
// Check your work with:  scripts/workbook check ch10
#pragma once

#include <box_future.hpp>
#include <cache.hpp>
#include <concepts>
#include <optional>
#include <string>
#include <utility>
#include <wb/core/contract.hpp>

// ANCHOR: any_cache_stub
class AnyCache {
 public:
  /// Takes the cache over: it is moved (never copied) onto the heap, and lives as long as this
  /// AnyCache.
  template <Cache C>
    requires(!std::same_as<C, AnyCache>)
  explicit AnyCache(C cache) {
    (void)cache;
    WB_TODO(
        "move the cache onto the heap (new C(std::move(cache))) and point cache_ and vtable_ at "
        "it and at vtable_for<C>");
  }

  AnyCache(AnyCache&& other) noexcept
      : cache_(std::exchange(other.cache_, nullptr)),
        vtable_(std::exchange(other.vtable_, nullptr)) {}
  AnyCache& operator=(AnyCache&& other) noexcept {
    AnyCache(std::move(other)).swap(*this);
    return *this;
  }
  ~AnyCache() {
    // TODO: destroy the cache through the vtable — if there is one: a moved-from AnyCache has
    // none. (A destructor must not throw, so there is no WB_TODO here.)
  }

  BoxFuture<std::optional<std::string>> get(std::string key) {
    (void)key;
    WB_TODO("call the cache's get through the vtable");
  }
  BoxFuture<void> set(std::string key, std::string value) {
    (void)key;
    (void)value;
    WB_TODO("call the cache's set through the vtable");
  }

  void swap(AnyCache& other) noexcept {
    std::swap(cache_, other.cache_);
    std::swap(vtable_, other.vtable_);
  }

 private:
  struct VTable {
    BoxFuture<std::optional<std::string>> (*get)(void* cache, std::string key);
    BoxFuture<void> (*set)(void* cache, std::string key, std::string value);
    void (*destroy)(void* cache);
  };

  /// One table per cache type, made at compile time. Each entry turns the untyped pointer back
  /// into a C and calls it; its future is boxed on the way out.
  template <class C>
  static constexpr VTable vtable_for{
      [](void* cache, std::string key) -> BoxFuture<std::optional<std::string>> {
        (void)cache;
        (void)key;
        WB_TODO("call get on the C that `cache` points to, and box its future");
      },
      [](void* cache, std::string key, std::string value) -> BoxFuture<void> {
        (void)cache;
        (void)key;
        (void)value;
        WB_TODO("call set on the C that `cache` points to, and box its future");
      },
      [](void* cache) {
        (void)cache;  // TODO: delete the C that `cache` points to
      },
  };

  void* cache_ = nullptr;           // the cache, or null once moved from
  VTable const* vtable_ = nullptr;  // how to call and destroy it
};
// ANCHOR_END: any_cache_stub
