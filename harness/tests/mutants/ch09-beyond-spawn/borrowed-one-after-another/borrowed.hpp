// Mutant: awaits the lookups one after another, without a set.
#pragma once

#include <cstddef>
#include <document.hpp>
#include <utility>
#include <vector>
#include <wb/combinator/futures_unordered.hpp>
#include <wb/task/task.hpp>
#include <word_count.hpp>

inline wb::Task<std::vector<std::size_t>> word_counts_borrowed(std::vector<Document> const& docs) {
  std::vector<std::size_t> counts;
  for (Document const& doc : docs) counts.push_back(co_await count_words(doc));
  co_return counts;
}
