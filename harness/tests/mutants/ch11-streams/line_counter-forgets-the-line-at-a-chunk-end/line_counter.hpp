// Mutant: the "line has text" flag lives inside the loop over chunks, so a line cut across two
// chunks loses what its first part had.
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
  bool last_line_has_text = false;
  for (;;) {
    bool line_has_text = false;  // wrong place: forgotten whenever a chunk ends
    auto chunk = co_await wb::fill_buf(reader);
    if (!chunk) co_return wb::unexpected(chunk.error());
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
    last_line_has_text = line_has_text;
  }
  if (last_line_has_text) ++count;
  co_return count;
}
// ANCHOR_END: count_non_empty_lines
