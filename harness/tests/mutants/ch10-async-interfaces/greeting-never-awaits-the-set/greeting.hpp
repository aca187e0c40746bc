// Mutant: calls set without awaiting it; the future is dropped unpolled, so the set never happens.
#pragma once

#include <cache.hpp>
#include <optional>
#include <string>
#include <utility>
#include <wb/task/task.hpp>

template <Cache C>
wb::Task<std::string> cached_greeting(C& cache, std::string user) {
  std::string key = "greeting:" + user;
  if (std::optional<std::string> hit = co_await cache.get(key)) co_return std::move(*hit);
  std::string greeting = "Hello, " + user + "!";
  (void)cache.set(std::move(key), greeting);
  co_return greeting;
}
