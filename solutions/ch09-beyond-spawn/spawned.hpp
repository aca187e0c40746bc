// Reference solution: word counts with spawned tasks. Each task owns a copy of its document (a
// by-value parameter of a coroutine lives in the coroutine's frame), so it is safe whatever
// happens to the caller; the handles are awaited in order, so the counts come back in order.
#pragma once

#include <cstddef>
#include <document.hpp>
#include <utility>
#include <vector>
#include <wb/task/join_handle.hpp>
#include <wb/task/spawn.hpp>
#include <wb/task/task.hpp>
#include <word_count.hpp>

// ANCHOR: count_owned
/// A lookup that owns its document: the parameter is a copy, kept in the coroutine's frame for
/// as long as the task lives.
inline wb::Task<std::size_t> count_words_owned(Document doc) {
  co_return co_await count_words(doc);
}
// ANCHOR_END: count_owned

// ANCHOR: spawned
inline wb::Task<std::vector<std::size_t>> word_counts_spawned(std::vector<Document> const& docs) {
  std::vector<wb::JoinHandle<std::size_t>> handles;
  handles.reserve(docs.size());
  for (Document const& doc : docs) {
    handles.push_back(wb::spawn(count_words_owned(doc)));  // the one copy of each document
  }
  std::vector<std::size_t> counts;
  counts.reserve(docs.size());
  for (auto& handle : handles) counts.push_back(co_await handle);
  co_return counts;
}
// ANCHOR_END: spawned
