// Exercise: run_pipeline — a producer and a slow consumer joined by a bounded channel. The
// producer makes items as fast as it can; the consumer takes its time with each. Backpressure
// is the rule that the producer waits when the channel is full, so the items in memory at any
// moment stay bounded however many there are in all.
// Read book/src/ch13-production-patterns.md, then replace the WB_TODO.
// Check your work with:  scripts/workbook check ch13
#pragma once

#include <concepts>
#include <cstddef>
#include <type_traits>
#include <utility>
#include <vector>
#include <wb/core/contract.hpp>
#include <wb/core/future.hpp>
#include <wb/sync/mpsc.hpp>
#include <wb/task/join_handle.hpp>
#include <wb/task/spawn.hpp>
#include <wb/task/task.hpp>

// ANCHOR: pipeline_concepts
/// Makes item i: called with an index, returns an item (a WorkItem, say).
template <class M>
concept ItemMaker = std::copy_constructible<M> && std::invocable<M&, std::size_t> &&
    std::move_constructible<std::invoke_result_t<M&, std::size_t>>;

template <ItemMaker M>
using item_of = std::invoke_result_t<M&, std::size_t>;

/// Consumes one item: called with it, returns the future of the work on it.
template <class C, class T>
concept ItemConsumer = std::invocable<C&, T> && wb::Future<std::invoke_result_t<C&, T>> &&
    std::is_void_v<wb::output_of<std::invoke_result_t<C&, T>>>;
// ANCHOR_END: pipeline_concepts

// ANCHOR: pipeline_stub
/// Makes `count` items with `make(0)`, `make(1)`, ... in a producer task and sends them through
/// a bounded channel of `capacity`; a consumer awaits consume(item) for each, in order. Returns
/// how many items were consumed. Call it inside a runtime.
template <ItemMaker M, ItemConsumer<item_of<M>> C>
wb::Task<std::size_t> run_pipeline(std::size_t count, std::size_t capacity, M make, C consume) {
  (void)count;
  (void)capacity;
  (void)make;
  (void)consume;
  WB_TODO(
      "wb::mpsc::channel<item_of<M>>(capacity); spawn a producer that co_awaits tx.send(make(i)) "
      "for each i; meanwhile receive every item and co_await consume(std::move(item)); then "
      "await the producer");
}
// ANCHOR_END: pipeline_stub
