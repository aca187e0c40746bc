// Exercise: serve — the accept loop of a server that shuts down gracefully. It accepts
// connections and handles each in a task of its own until the shutdown is triggered; then it
// stops accepting, lets every request already in flight finish, and only then returns.
// Read book/src/ch13-production-patterns.md, then replace the WB_TODO.
// Check your work with:  scripts/workbook check ch13
#pragma once

#include <concepts>
#include <listener.hpp>
#include <task_tracker.hpp>
#include <type_traits>
#include <utility>
#include <variant>
#include <wb/combinator/select.hpp>
#include <wb/core/contract.hpp>
#include <wb/core/future.hpp>
#include <wb/sync/watch.hpp>
#include <wb/task/join_set.hpp>
#include <wb/task/spawn.hpp>
#include <wb/task/task.hpp>

// ANCHOR: handler_concept
/// Handles one connection: called with it, returns the future of the work (a wb::Task<void>).
template <class H>
concept ConnectionHandler = std::copy_constructible<H> && std::invocable<H&, Connection> &&
    wb::Future<std::invoke_result_t<H&, Connection>> &&
    std::is_void_v<wb::output_of<std::invoke_result_t<H&, Connection>>>;
// ANCHOR_END: handler_concept

// ANCHOR: serve_stub
/// Accepts connections from `listener` and handles each with `handle`, as a task of its own,
/// until `shutdown` holds true (or its sender is gone, or the listener closes). Then it accepts
/// no more, waits for every request in flight to finish, and returns.
template <ConnectionHandler H>
wb::Task<void> serve(Listener listener, wb::watch::Receiver<bool> shutdown, H handle) {
  (void)listener;
  (void)shutdown;
  (void)handle;
  WB_TODO(
      "loop: co_await wb::select_biased(shutdown.changed(), listener.accept()); spawn a tracked "
      "task per connection; when the shutdown holds true, stop accepting, close the tracker and "
      "co_await tracker.wait()");
}
// ANCHOR_END: serve_stub
