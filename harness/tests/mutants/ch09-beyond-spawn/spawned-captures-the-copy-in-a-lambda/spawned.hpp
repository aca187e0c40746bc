// Mutant: captures the copy in a lambda coroutine. The coroutine reaches the capture through the
// lambda object, a temporary that is destroyed (copy and all) before the task first runs.
#pragma once

#include <cstddef>
#include <document.hpp>
#include <utility>
#include <vector>
#include <wb/task/join_handle.hpp>
#include <wb/task/spawn.hpp>
#include <wb/task/task.hpp>
#include <word_count.hpp>

inline wb::Task<std::vector<std::size_t>> word_counts_spawned(std::vector<Document> const& docs) {
  std::vector<wb::JoinHandle<std::size_t>> handles;
  for (Document const& doc : docs) {
    handles.push_back(
        wb::spawn([doc]() -> wb::Task<std::size_t> { co_return co_await count_words(doc); }()));
  }
  std::vector<std::size_t> counts;
  for (auto& handle : handles) counts.push_back(co_await handle);
  co_return counts;
}
