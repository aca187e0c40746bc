// Mutant: awaits each task right after spawning it, so the lookups run one after another.
#pragma once

#include <cstddef>
#include <document.hpp>
#include <utility>
#include <vector>
#include <wb/task/join_handle.hpp>
#include <wb/task/spawn.hpp>
#include <wb/task/task.hpp>
#include <word_count.hpp>

inline wb::Task<std::size_t> count_words_owned(Document doc) {
  co_return co_await count_words(doc);
}

inline wb::Task<std::vector<std::size_t>> word_counts_spawned(std::vector<Document> const& docs) {
  std::vector<std::size_t> counts;
  for (Document const& doc : docs) counts.push_back(co_await wb::spawn(count_words_owned(doc)));
  co_return counts;
}
