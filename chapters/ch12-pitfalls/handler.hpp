// Exercise: fix the request handler. handler_as_found.hpp has the handler as it was found —
// right answers, three bugs. Write the fixed version here. Read book/src/ch12-pitfalls.md, then
// replace the WB_TODO.
// Check your work with:  scripts/workbook check ch12
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <upstream.hpp>
#include <utility>
#include <vector>
#include <wb/combinator/join.hpp>
#include <wb/core/contract.hpp>
#include <wb/task/task.hpp>
#include <wb/time/sleep.hpp>

// ANCHOR: handler_stub
/// Fetches every url (the fetches are independent), keeps the upstream's rate limit (a pause of
/// rate_limit_pause after the batch), appends the pages to results.pages in the order of `urls`,
/// then parses everything gathered so far with expensive_parse and returns its answer.
inline wb::Task<std::size_t> process_requests(std::vector<std::string> urls, Results& results) {
  (void)urls;
  (void)results;
  WB_TODO(
      "fetch every url at once, pause without blocking the thread, append the pages under the "
      "lock, then parse a copy of the pages with no lock held");
}
// ANCHOR_END: handler_stub
