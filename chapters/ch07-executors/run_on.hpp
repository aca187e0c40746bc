// Exercise: run_on — one entry point to every executor of the runtime: the spin executor, the
// parking one, and wb::Runtime single- or multi-threaded, on real or virtual time. It runs a
// future to completion and says how long it took on the clock of the executor that ran it.
// Read book/src/ch07-executors.md, then replace the WB_TODO.
// Check your work with:  scripts/workbook check ch07
#pragma once

#include <cstddef>
#include <utility>
#include <wb/core/contract.hpp>
#include <wb/core/future.hpp>
#include <wb/exec/block_on.hpp>
#include <wb/exec/block_on_spin.hpp>
#include <wb/exec/runtime.hpp>
#include <wb/time/clock.hpp>
#include <wb/time/timer_driver.hpp>

// ANCHOR: run_on_stub
enum class Executor {
  spin,                     // wb::block_on_spin: polls again and again, a waker that does nothing
  parking,                  // wb::block_on: sleeps until the future's waker fires
  single_threaded,          // a wb::Runtime whose tasks all run on the calling thread
  multi_threaded,           // a wb::Runtime with `pool_workers` worker threads
  single_threaded_virtual,  // the same two on paused virtual time
  multi_threaded_virtual,
};

/// How many worker threads a multi-threaded runtime gets here.
inline constexpr std::size_t pool_workers = 2;

template <class T>
struct Run {
  T output;
  wb::Duration elapsed;  // from start to Ready, on the clock of the executor that ran the future
};

/// Runs `future` to completion on a fresh executor of the kind asked for.
template <wb::Future F>
Run<wb::output_of<F>> run_on(Executor executor, F future) {
  (void)executor;
  (void)future;
  WB_TODO(
      "pick the executor: wb::block_on_spin, wb::block_on, or a wb::Runtime built with "
      "wb::Runtime::builder() (.worker_threads(pool_workers) for the multi-threaded kinds, "
      ".virtual_time() for the virtual ones); run the future on it and measure the time it took "
      "on that executor's clock");
}
// ANCHOR_END: run_on_stub
