// Mutant: appends each count as its lookup finishes: the counts come out in finishing order.
#pragma once

#include <cstddef>
#include <document.hpp>
#include <utility>
#include <vector>
#include <wb/combinator/futures_unordered.hpp>
#include <wb/task/task.hpp>
#include <word_count.hpp>

inline wb::Task<std::vector<std::size_t>> word_counts_borrowed(std::vector<Document> const& docs) {
  wb::FuturesUnordered<wb::Task<std::size_t>> lookups;
  for (Document const& doc : docs) lookups.push(count_words(doc));
  std::vector<std::size_t> counts;
  while (auto count = co_await lookups.next()) counts.push_back(*count);
  co_return counts;
}
