// The request handler as it was found: it gives the right answer, and it has three bugs. It is
// here to read and compare; write the fixed version in handler.hpp (this one stays as it is).
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>
#include <upstream.hpp>
#include <vector>
#include <wb/task/task.hpp>

// ANCHOR: as_found
inline wb::Task<std::size_t> process_requests_as_found(std::vector<std::string> urls,
                                                       Results& results) {
  std::size_t parsed = 0;
  for (auto const& url : urls) {
    std::string page = co_await fetch(url);
    std::this_thread::sleep_for(rate_limit_pause);  // the upstream's rate limit
    std::lock_guard lock(results.mutex);
    results.pages.push_back(std::move(page));
    parsed = co_await expensive_parse(results.pages);  // parse everything gathered so far
  }
  co_return parsed;
}
// ANCHOR_END: as_found
