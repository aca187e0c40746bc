// Mutant: collects the results with a JoinSet, in the order the tasks finish.
#pragma once

#include <cstddef>
#include <document.hpp>
#include <utility>
#include <vector>
#include <wb/task/join_set.hpp>
#include <wb/task/spawn.hpp>
#include <wb/task/task.hpp>
#include <word_count.hpp>

inline wb::Task<std::size_t> count_words_owned(Document doc) {
  co_return co_await count_words(doc);
}

inline wb::Task<std::vector<std::size_t>> word_counts_spawned(std::vector<Document> const& docs) {
  wb::JoinSet<std::size_t> tasks;
  for (Document const& doc : docs) tasks.spawn(count_words_owned(doc));
  std::vector<std::size_t> counts;
  while (auto count = co_await tasks.join_next()) counts.push_back(*count);
  co_return counts;
}
