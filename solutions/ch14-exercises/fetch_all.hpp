// Reference solution: fetch_all — the URLs as a stream, each mapped to the (lazy) future of its
// fetch, and buffer_unordered(limit) running at most `limit` of those futures at once and
// handing out each result as soon as its fetch finishes; collect gathers them in that order.
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

// ANCHOR: fetch_labelled
inline wb::Task<FetchResult> fetch_labelled(std::string url) {
  auto result = co_await fetch(url);
  if (!result) co_return wb::unexpected(url + ": " + result.error());
  co_return result;
}
// ANCHOR_END: fetch_labelled

// ANCHOR: fetch_all
inline wb::Task<std::vector<FetchResult>> fetch_all(std::vector<std::string> urls,
                                                    std::size_t limit) {
  // Nothing runs yet: map makes one lazy future per URL, and only when buffer_unordered asks.
  auto results = wb::iter(std::move(urls)) | wb::map(&fetch_labelled) | wb::buffer_unordered(limit);
  co_return co_await wb::collect(std::move(results));
}
// ANCHOR_END: fetch_all
