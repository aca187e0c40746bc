// Exercise: word counts without spawning — every lookup runs inside this one task, in a
// wb::FuturesUnordered, so the lookups can borrow the documents: no task outlives the call, and
// nothing is copied. Read book/src/ch09-beyond-spawn.md, then replace the WB_TODO.
// Check your work with:  scripts/workbook check ch09
#pragma once

#include <cstddef>
#include <document.hpp>
#include <utility>
#include <vector>
#include <wb/combinator/futures_unordered.hpp>
#include <wb/core/contract.hpp>
#include <wb/task/task.hpp>
#include <word_count.hpp>

// ANCHOR: borrowed_stub
/// The word count of each document, in the order of `docs`, all counted (count_words) at once
/// inside this task: a wb::FuturesUnordered of lookups that borrow the documents.
inline wb::Task<std::vector<std::size_t>> word_counts_borrowed(std::vector<Document> const& docs) {
  (void)docs;
  WB_TODO(
      "push one lookup per document into a wb::FuturesUnordered — each lookup borrowing its "
      "document and remembering its index — then take the results as they finish (co_await "
      "set.next()) and put each count at its document's place");
}
// ANCHOR_END: borrowed_stub
