// Exercise: count_non_empty_lines — counts the lines of text that are not empty, reading from any
// AsyncBufRead (a socket, a file, a buffer in memory). The text arrives in chunks of any size: a
// line may be cut anywhere, even between the "\r" and the "\n" of a "\r\n". A line is what comes
// before a "\n"; it is empty when it holds nothing but "\r" (the "\r" of a "\r\n" line ending is
// not text). The last line counts even without a "\n" after it.
// Read book/src/ch11-streams.md, then replace the WB_TODO.
// Check your work with:  scripts/workbook check ch11
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>
#include <wb/core/contract.hpp>
#include <wb/core/expected.hpp>
#include <wb/io/async_buf_read.hpp>
#include <wb/task/task.hpp>

// ANCHOR: line_counter_stub
/// The number of non-empty lines in what `reader` delivers, or the error that stopped it.
template <wb::AsyncBufRead R>
wb::Task<wb::IoResult<std::size_t>> count_non_empty_lines(R reader) {
  (void)reader;
  WB_TODO(
      "loop: auto chunk = co_await wb::fill_buf(reader); an error ends the count with that "
      "error, an empty chunk is the end of the text; look at each character, remember across "
      "chunks whether the line so far has text, and reader.consume(chunk->size())");
}
// ANCHOR_END: line_counter_stub
