// Mutant: each lookup takes its document by value: a copy per document, which nothing needs.
#pragma once

#include <cstddef>
#include <document.hpp>
#include <utility>
#include <vector>
#include <wb/combinator/futures_unordered.hpp>
#include <wb/task/task.hpp>
#include <word_count.hpp>

inline wb::Task<std::pair<std::size_t, std::size_t>> count_words_at(std::size_t index,
                                                                    Document doc) {
  co_return std::pair(index, co_await count_words(doc));
}

inline wb::Task<std::vector<std::size_t>> word_counts_borrowed(std::vector<Document> const& docs) {
  wb::FuturesUnordered<wb::Task<std::pair<std::size_t, std::size_t>>> lookups;
  for (std::size_t i = 0; i < docs.size(); ++i) lookups.push(count_words_at(i, docs[i]));
  std::vector<std::size_t> counts(docs.size());
  while (auto finished = co_await lookups.next()) counts[finished->first] = finished->second;
  co_return counts;
}
