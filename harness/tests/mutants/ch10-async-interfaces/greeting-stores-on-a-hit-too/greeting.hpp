// Mutant: stores the greeting whether it was found or made.
#pragma once

#include <cache.hpp>
#include <optional>
#include <string>
#include <utility>
#include <wb/task/task.hpp>

template <Cache C>
wb::Task<std::string> cached_greeting(C& cache, std::string user) {
  std::string key = "greeting:" + user;
  std::optional<std::string> hit = co_await cache.get(key);
  std::string greeting = hit ? *hit : "Hello, " + user + "!";
  co_await cache.set(std::move(key), greeting);
  co_return greeting;
}
