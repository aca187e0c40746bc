// Exercise: cached_greeting — one function for every Cache, chosen at compile time (static
// dispatch): the concept checks the cache, the compiler makes a version per cache type, and the
// cache's own futures are awaited as they are. Read book/src/ch10-async-interfaces.md, then
// replace the WB_TODO.
// Check your work with:  scripts/workbook check ch10
#pragma once

#include <cache.hpp>
#include <optional>
#include <string>
#include <utility>
#include <wb/core/contract.hpp>
#include <wb/task/task.hpp>

// ANCHOR: greeting_stub
/// The greeting for `user`: the cache's entry "greeting:<user>" when there is one; otherwise
/// "Hello, <user>!", stored under that key before it is returned.
template <Cache C>
wb::Task<std::string> cached_greeting(C& cache, std::string user) {
  (void)cache;
  (void)user;
  WB_TODO(
      "co_await cache.get(\"greeting:\" + user); on a hit return it; on a miss make the "
      "greeting, co_await cache.set(key, greeting) and return it");
}
// ANCHOR_END: greeting_stub
