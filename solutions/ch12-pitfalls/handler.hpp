// Reference solution: the request handler with its three bugs fixed. The fetches run together
// (join_all), the pause is a wb::sleep that lets the thread run other tasks, and the lock is
// held only while the pages are appended and copied: the parse works on the copy, unlocked.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <upstream.hpp>
#include <utility>
#include <vector>
#include <wb/combinator/join.hpp>
#include <wb/task/task.hpp>
#include <wb/time/sleep.hpp>

// ANCHOR: handler
inline wb::Task<std::size_t> process_requests(std::vector<std::string> urls, Results& results) {
  std::vector<wb::Task<std::string>> fetches;
  for (auto const& url : urls) fetches.push_back(fetch(url));  // lazy: nothing sent yet
  std::vector<std::string> pages = co_await wb::join_all(std::move(fetches));  // all at once

  co_await wb::sleep(rate_limit_pause);  // the rate limit, without blocking the thread

  std::vector<std::string> gathered;
  {
    std::lock_guard lock(results.mutex);
    for (auto& page : pages) results.pages.push_back(std::move(page));
    gathered = results.pages;  // a copy to parse once the lock is released
  }
  co_return co_await expensive_parse(std::move(gathered));
}
// ANCHOR_END: handler
