// Reference solution: cached_greeting — a read-through cache lookup written once for every
// Cache. Each instantiation awaits the cache's own future types directly: nothing is boxed, and
// the only allocation is this coroutine's frame.
#pragma once

#include <cache.hpp>
#include <optional>
#include <string>
#include <utility>
#include <wb/task/task.hpp>

// ANCHOR: greeting
template <Cache C>
wb::Task<std::string> cached_greeting(C& cache, std::string user) {
  std::string key = "greeting:" + user;
  if (std::optional<std::string> hit = co_await cache.get(key)) co_return std::move(*hit);
  std::string greeting = "Hello, " + user + "!";
  co_await cache.set(std::move(key), greeting);
  co_return greeting;
}
// ANCHOR_END: greeting
