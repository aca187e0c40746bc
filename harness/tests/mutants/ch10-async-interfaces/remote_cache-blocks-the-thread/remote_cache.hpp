// Mutant: waits the round trip with std::this_thread::sleep_for, blocking the executor thread.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <wb/task/task.hpp>
#include <wb/time/clock.hpp>
#include <wb/time/sleep.hpp>

class RemoteCache {
 public:
  explicit RemoteCache(wb::Duration latency) : latency_(latency) {}

  wb::Task<std::optional<std::string>> get(std::string key) {
    std::this_thread::sleep_for(latency_);
    auto found = server_.find(key);
    if (found == server_.end()) co_return std::nullopt;  // a coroutine still: it co_returns
    co_return found->second;
  }

  wb::Task<void> set(std::string key, std::string value) {
    std::this_thread::sleep_for(latency_);
    server_.insert_or_assign(std::move(key), std::move(value));
    co_return;  // a coroutine still
  }

  wb::Duration latency() const noexcept { return latency_; }

 private:
  wb::Duration latency_;
  std::map<std::string, std::string> server_;
};
