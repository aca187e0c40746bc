// Mutant: a set stores at once, without the round trip a request to the server takes.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <wb/task/task.hpp>
#include <wb/time/clock.hpp>
#include <wb/time/sleep.hpp>

class RemoteCache {
 public:
  explicit RemoteCache(wb::Duration latency) : latency_(latency) {}

  wb::Task<std::optional<std::string>> get(std::string key) {
    co_await wb::sleep(latency_);  // the round trip: Pending, not blocking
    auto found = server_.find(key);
    if (found == server_.end()) co_return std::nullopt;
    co_return found->second;
  }

  wb::Task<void> set(std::string key, std::string value) {
    server_.insert_or_assign(std::move(key), std::move(value));
    co_return;
  }

  wb::Duration latency() const noexcept { return latency_; }

 private:
  wb::Duration latency_;
  std::map<std::string, std::string> server_;
};
