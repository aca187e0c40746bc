// Reference solution: word counts without spawning. The lookups live in a FuturesUnordered owned
// by this coroutine's frame, so none can outlive the call — and therefore each may borrow its
// document. Each lookup carries its index, since results arrive in the order lookups finish.
#pragma once

#include <cstddef>
#include <document.hpp>
#include <utility>
#include <vector>
#include <wb/combinator/futures_unordered.hpp>
#include <wb/task/task.hpp>
#include <word_count.hpp>

// ANCHOR: count_at
/// A lookup that borrows its document and says where its count belongs.
inline wb::Task<std::pair<std::size_t, std::size_t>> count_words_at(std::size_t index,
                                                                    Document const& doc) {
  co_return std::pair(index, co_await count_words(doc));
}
// ANCHOR_END: count_at

// ANCHOR: borrowed
inline wb::Task<std::vector<std::size_t>> word_counts_borrowed(std::vector<Document> const& docs) {
  wb::FuturesUnordered<wb::Task<std::pair<std::size_t, std::size_t>>> lookups;
  for (std::size_t i = 0; i < docs.size(); ++i) lookups.push(count_words_at(i, docs[i]));
  std::vector<std::size_t> counts(docs.size());
  while (auto finished = co_await lookups.next()) counts[finished->first] = finished->second;
  co_return counts;
}
// ANCHOR_END: borrowed
