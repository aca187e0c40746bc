// Reference solution: AnyCache — a Cache of any type chosen at run time. The cache is moved onto
// the heap once; each call goes through a table of functions made for its type, and the call's
// future is boxed so that every kind of cache returns the same future types.
#pragma once

#include <box_future.hpp>
#include <cache.hpp>
#include <concepts>
#include <optional>
#include <string>
#include <utility>

// ANCHOR: any_cache
class AnyCache {
 public:
  template <Cache C>
    requires(!std::same_as<C, AnyCache>)
  explicit AnyCache(C cache) : cache_(new C(std::move(cache))), vtable_(&vtable_for<C>) {}

  AnyCache(AnyCache&& other) noexcept
      : cache_(std::exchange(other.cache_, nullptr)),
        vtable_(std::exchange(other.vtable_, nullptr)) {}
  AnyCache& operator=(AnyCache&& other) noexcept {
    AnyCache(std::move(other)).swap(*this);
    return *this;
  }
  ~AnyCache() {
    if (vtable_) vtable_->destroy(cache_);
  }

  BoxFuture<std::optional<std::string>> get(std::string key) {
    return vtable_->get(cache_, std::move(key));
  }
  BoxFuture<void> set(std::string key, std::string value) {
    return vtable_->set(cache_, std::move(key), std::move(value));
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

  template <class C>
  static constexpr VTable vtable_for{
      [](void* cache, std::string key) -> BoxFuture<std::optional<std::string>> {
        return static_cast<C*>(cache)->get(std::move(key));  // boxed by the return
      },
      [](void* cache, std::string key, std::string value) -> BoxFuture<void> {
        return static_cast<C*>(cache)->set(std::move(key), std::move(value));
      },
      [](void* cache) { delete static_cast<C*>(cache); },
  };

  void* cache_ = nullptr;
  VTable const* vtable_ = nullptr;
};
// ANCHOR_END: any_cache
