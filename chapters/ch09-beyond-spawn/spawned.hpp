// Exercise: word counts with spawned tasks — one task per document, spawned on the runtime, the
// results collected in the order of the documents. A spawned task may outlive the call that
// spawned it, so each task must own what it reads. Read book/src/ch09-beyond-spawn.md, then
// replace the WB_TODO.
// Check your work with:  scripts/workbook check ch09
#pragma once

#include <cstddef>
#include <document.hpp>
#include <utility>
#include <vector>
#include <wb/core/contract.hpp>
#include <wb/task/join_handle.hpp>
#include <wb/task/spawn.hpp>
#include <wb/task/task.hpp>
#include <word_count.hpp>

// ANCHOR: spawned_stub
/// The word count of each document, in the order of `docs`, each counted (count_words) by a task
/// of its own spawned on the runtime running this coroutine (wb::spawn).
inline wb::Task<std::vector<std::size_t>> word_counts_spawned(std::vector<Document> const& docs) {
  (void)docs;
  WB_TODO(
      "spawn one task per document — a task that owns a copy of its document — then await the "
      "JoinHandles in order and co_return the counts");
}
// ANCHOR_END: spawned_stub
