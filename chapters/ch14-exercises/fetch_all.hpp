// Exercise: fetch_all — fetch a list of URLs concurrently, with at most `limit` requests in
// flight at once, and hand the results back in the order the requests finish. A failure is a
// result too: its text names the URL it belongs to. fetch(url) is given (http_get.hpp).
// Read book/src/ch14-exercises.md, then replace the WB_TODOs.
// Check your work with:  scripts/workbook check ch14
#pragma once

#include <cstddef>
#include <http_get.hpp>
#include <string>
#include <utility>
#include <vector>
#include <wb/core/contract.hpp>
#include <wb/stream/buffer_unordered.hpp>
#include <wb/stream/collect.hpp>
#include <wb/stream/iter.hpp>
#include <wb/stream/map.hpp>
#include <wb/task/task.hpp>

// ANCHOR: fetch_all_stub
/// fetch(url), with an error's text turned into "<url>: <error>"; a body stays as it is.
inline wb::Task<FetchResult> fetch_labelled(std::string url) {
  (void)url;
  WB_TODO("co_await fetch(url); on an error, co_return wb::unexpected(url + \": \" + error)");
}

/// Fetches every URL of `urls`, at most `limit` at a time, and returns one result per URL in
/// the order the fetches finished.
inline wb::Task<std::vector<FetchResult>> fetch_all(std::vector<std::string> urls,
                                                    std::size_t limit) {
  (void)urls;
  (void)limit;
  WB_TODO(
      "a stream of the urls (wb::iter), each mapped to the future fetch_labelled(url) "
      "(wb::map), run at most `limit` at a time in the order they finish "
      "(wb::buffer_unordered), gathered with wb::collect");
}
// ANCHOR_END: fetch_all_stub
