// MemoryCache — the simplest Cache: a std::map in memory. It never waits, so its futures are
// Ready at their first poll; they are small structs (a lambda inside wb::poll_fn), not
// coroutines, so a call allocates nothing and the compiler can see through all of it.
// (Given, not an exercise: the model for the caches you write.)
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <wb/core/poll.hpp>
#include <wb/core/poll_fn.hpp>

// ANCHOR: memory_cache
class MemoryCache {
 public:
  /// Like every future, lazy: the lookup happens at the first poll. The future refers to this
  /// cache, which must outlive it.
  auto get(std::string key) {
    return wb::poll_fn(
        [this, key = std::move(key)](wb::Context&) -> wb::Poll<std::optional<std::string>> {
          auto found = entries_.find(key);
          if (found == entries_.end()) return std::optional<std::string>();
          return std::optional<std::string>(found->second);
        });
  }

  auto set(std::string key, std::string value) {
    return wb::poll_fn([this, key = std::move(key),
                        value = std::move(value)](wb::Context&) mutable -> wb::Poll<void> {
      entries_.insert_or_assign(std::move(key), std::move(value));
      return wb::Poll<void>::ready();
    });
  }
  // ANCHOR_END: memory_cache

  std::size_t size() const noexcept { return entries_.size(); }

 private:
  std::map<std::string, std::string> entries_;
};
