// Mutant: type-erases the cache's futures for no reason: each call is boxed on the heap.
#pragma once

#include <box_future.hpp>
#include <cache.hpp>
#include <optional>
#include <string>
#include <utility>
#include <wb/task/task.hpp>

template <Cache C>
wb::Task<std::string> cached_greeting(C& cache, std::string user) {
  std::string key = "greeting:" + user;
  BoxFuture<std::optional<std::string>> lookup = cache.get(key);
  if (std::optional<std::string> hit = co_await lookup) co_return std::move(*hit);
  std::string greeting = "Hello, " + user + "!";
  BoxFuture<void> store = cache.set(std::move(key), greeting);
  co_await store;
  co_return greeting;
}
