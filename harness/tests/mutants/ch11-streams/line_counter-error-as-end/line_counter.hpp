// Mutant: takes a read error for the end of the text and returns the count so far.
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>
#include <wb/core/contract.hpp>
#include <wb/core/expected.hpp>
#include <wb/io/async_buf_read.hpp>
#include <wb/task/task.hpp>

// ANCHOR: count_non_empty_lines
template <wb::AsyncBufRead R>
wb::Task<wb::IoResult<std::size_t>> count_non_empty_lines(R reader) {
  std::size_t count = 0;
  bool line_has_text = false;  // the line being read: survives from one chunk to the next
  for (;;) {
    auto chunk = co_await wb::fill_buf(reader);
    if (!chunk) break;  // an error taken for the end of the text
    std::string_view const text = *chunk;
    if (text.empty()) break;  // the end of the data
    for (char c : text) {
      if (c == '\n') {
        if (line_has_text) ++count;
        line_has_text = false;
      } else if (c != '\r') {  // a "\r" is part of the line ending, not text
        line_has_text = true;
      }
    }
    reader.consume(text.size());
  }
  if (line_has_text) ++count;  // a last line without a "\n"
  co_return count;
}
// ANCHOR_END: count_non_empty_lines
