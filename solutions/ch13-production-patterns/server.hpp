// Reference solution: serve — one select per turn of the loop between the shutdown signal and
// the next connection; each connection handled in a task the tracker counts; on shutdown the
// loop ends, and the tracker is closed and awaited so that in-flight requests finish first.
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

template <class H>
concept ConnectionHandler = std::copy_constructible<H> && std::invocable<H&, Connection> &&
    wb::Future<std::invoke_result_t<H&, Connection>> &&
    std::is_void_v<wb::output_of<std::invoke_result_t<H&, Connection>>>;

// ANCHOR: serve
template <ConnectionHandler H>
wb::Task<void> serve(Listener listener, wb::watch::Receiver<bool> shutdown, H handle) {
  TaskTracker in_flight;
  for (;;) {
    // Biased: when a connection and the shutdown are both there, the shutdown wins.
    auto next = co_await wb::select_biased(shutdown.changed(), listener.accept());
    if (next.index() == 0) {
      bool const sender_gone = !std::get<0>(next).has_value();
      if (sender_gone || *shutdown.borrow()) break;
      continue;  // the value changed, but not to "shut down"
    }
    auto connection = std::get<1>(std::move(next));
    if (!connection) break;  // the listener is closed: nobody will connect any more
    in_flight.spawn(handle(std::move(*connection))).detach();  // the tracker still counts it
  }
  // Accept no more; let what was accepted finish.
  in_flight.close();
  co_await in_flight.wait();
}
// ANCHOR_END: serve
