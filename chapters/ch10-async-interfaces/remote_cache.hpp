// Exercise: RemoteCache — a Cache on the other side of a network: every get and every set costs
// one round trip of `latency`, on the clock of the executor that runs it. A std::map stands in
// for the server. Read book/src/ch10-async-interfaces.md, then replace the two WB_TODOs.
// Check your work with:  scripts/workbook check ch10
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <wb/core/contract.hpp>
#include <wb/task/task.hpp>
#include <wb/time/clock.hpp>
#include <wb/time/sleep.hpp>

// ANCHOR: remote_cache_stub
class RemoteCache {
 public:
  explicit RemoteCache(wb::Duration latency) : latency_(latency) {}

  /// The value stored under `key`, or nothing, after one round trip.
  wb::Task<std::optional<std::string>> get(std::string key) {
    (void)key;
    WB_TODO("wait one round trip (latency_) without blocking, then look the key up in server_");
  }

  /// Stores `value` under `key` (replacing what was there), after one round trip.
  wb::Task<void> set(std::string key, std::string value) {
    (void)key;
    (void)value;
    WB_TODO("wait one round trip (latency_) without blocking, then store the value in server_");
  }

  wb::Duration latency() const noexcept { return latency_; }

 private:
  wb::Duration latency_;
  std::map<std::string, std::string> server_;  // what the server holds
};
// ANCHOR_END: remote_cache_stub
