// Mutant: spawns the lookups (with copies) as the spawning version does: it needs a runtime, copies
// every document, and leaves tasks running when its caller gives up.
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

inline wb::Task<std::vector<std::size_t>> word_counts_borrowed(std::vector<Document> const& docs) {
  std::vector<wb::JoinHandle<std::size_t>> handles;
  for (Document const& doc : docs) handles.push_back(wb::spawn(count_words_owned(doc)));
  std::vector<std::size_t> counts;
  for (auto& handle : handles) counts.push_back(co_await handle);
  co_return counts;
}
