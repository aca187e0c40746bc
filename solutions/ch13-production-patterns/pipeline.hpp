// Reference solution: run_pipeline — the producer a spawned task that awaits every send (so it
// is parked while the channel is full), the consumer a loop in the caller's task.
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

template <class M>
concept ItemMaker = std::copy_constructible<M> && std::invocable<M&, std::size_t> &&
    std::move_constructible<std::invoke_result_t<M&, std::size_t>>;

template <ItemMaker M>
using item_of = std::invoke_result_t<M&, std::size_t>;

template <class C, class T>
concept ItemConsumer = std::invocable<C&, T> && wb::Future<std::invoke_result_t<C&, T>> &&
    std::is_void_v<wb::output_of<std::invoke_result_t<C&, T>>>;

// ANCHOR: producer
/// Sends make(0) ... make(count - 1), each only once there is room for it.
template <ItemMaker M>
wb::Task<void> produce(wb::mpsc::Sender<item_of<M>> tx, std::size_t count, M make) {
  for (std::size_t i = 0; i < count; ++i) {
    // Pending while the channel is full: this is where the producer is parked.
    if (!co_await tx.send(make(i))) co_return;  // the consumer is gone
  }
}  // tx is destroyed here: the channel closes once the consumer has drained it
// ANCHOR_END: producer

// ANCHOR: pipeline
template <ItemMaker M, ItemConsumer<item_of<M>> C>
wb::Task<std::size_t> run_pipeline(std::size_t count, std::size_t capacity, M make, C consume) {
  auto [tx, rx] = wb::mpsc::channel<item_of<M>>(capacity);
  auto producer = wb::spawn(produce(std::move(tx), count, std::move(make)));
  std::size_t consumed = 0;
  while (auto item = co_await rx.recv()) {
    co_await consume(std::move(*item));
    ++consumed;
  }
  co_await producer;
  co_return consumed;
}
// ANCHOR_END: pipeline
