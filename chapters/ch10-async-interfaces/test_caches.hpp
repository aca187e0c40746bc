// Caches for the chapter's tests: a cache that counts its calls (and can take a round trip of
// virtual time), and one that counts its copies, moves and live instances. (Given, for tests.)
#pragma once

#include <atomic>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <wb/task/task.hpp>
#include <wb/time/clock.hpp>
#include <wb/time/sleep.hpp>

/// What a CountingCache saw. Shared, so that it outlives a cache moved somewhere else.
struct CacheLog {
  std::size_t gets = 0;
  std::size_t sets = 0;
  std::map<std::string, std::string> entries;
};

/// A Cache whose calls are coroutines (one allocation each) that wait `latency` (zero: no
/// wait) and record themselves in a shared CacheLog.
class CountingCache {
 public:
  explicit CountingCache(std::shared_ptr<CacheLog> log, wb::Duration latency = {})
      : log_(std::move(log)), latency_(latency) {}

  wb::Task<std::optional<std::string>> get(std::string key) {
    if (latency_ > wb::Duration::zero()) co_await wb::sleep(latency_);
    ++log_->gets;
    auto found = log_->entries.find(key);
    if (found == log_->entries.end()) co_return std::nullopt;
    co_return found->second;
  }
  wb::Task<void> set(std::string key, std::string value) {
    if (latency_ > wb::Duration::zero()) co_await wb::sleep(latency_);
    ++log_->sets;
    log_->entries.insert_or_assign(std::move(key), std::move(value));
  }

 private:
  std::shared_ptr<CacheLog> log_;
  wb::Duration latency_;
};

/// A Cache with nothing inside that counts how often it is copied and how many are alive.
class InstanceCountingCache {
 public:
  InstanceCountingCache() { ++alive_; }
  InstanceCountingCache(InstanceCountingCache const&) {
    ++alive_;
    ++copies_;
  }
  InstanceCountingCache(InstanceCountingCache&&) noexcept { ++alive_; }
  InstanceCountingCache& operator=(InstanceCountingCache const&) {
    ++copies_;
    return *this;
  }
  InstanceCountingCache& operator=(InstanceCountingCache&&) noexcept { return *this; }
  ~InstanceCountingCache() { --alive_; }

  wb::Task<std::optional<std::string>> get(std::string) { co_return std::nullopt; }
  wb::Task<void> set(std::string, std::string) { co_return; }

  static long alive() { return alive_.load(); }
  static long copies() { return copies_.load(); }
  static void reset_copies() { copies_.store(0); }

 private:
  static inline std::atomic<long> alive_{0};
  static inline std::atomic<long> copies_{0};
};
