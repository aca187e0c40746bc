// Mutant: runs Executor::parking on the spin executor, wb::block_on_spin.
#pragma once

#include <cstddef>
#include <utility>
#include <wb/core/future.hpp>
#include <wb/exec/block_on.hpp>
#include <wb/exec/block_on_spin.hpp>
#include <wb/exec/runtime.hpp>
#include <wb/time/clock.hpp>
#include <wb/time/timer_driver.hpp>

enum class Executor {
  spin,                     // wb::block_on_spin: polls again and again, a waker that does nothing
  parking,                  // wb::block_on: sleeps until the future's waker fires
  single_threaded,          // a wb::Runtime whose tasks all run on the calling thread
  multi_threaded,           // a wb::Runtime with `pool_workers` worker threads
  single_threaded_virtual,  // the same two on paused virtual time
  multi_threaded_virtual,
};

inline constexpr std::size_t pool_workers = 2;

template <class T>
struct Run {
  T output;
  wb::Duration elapsed;
};

template <wb::Future F>
Run<wb::output_of<F>> run_on(Executor executor, F future) {
  if (executor == Executor::spin || executor == Executor::parking) {
    wb::Instant const start = wb::now();  // outside a runtime: real time
    auto output = wb::block_on_spin(std::move(future));
    return {std::move(output), wb::now() - start};
  }
  bool const many =
      executor == Executor::multi_threaded || executor == Executor::multi_threaded_virtual;
  bool const virtual_time =
      executor == Executor::single_threaded_virtual || executor == Executor::multi_threaded_virtual;
  auto builder = wb::Runtime::builder();
  if (many) builder.worker_threads(pool_workers);
  builder.virtual_time(virtual_time);
  wb::Runtime runtime = builder.build();
  wb::Instant const start = runtime.now();  // the runtime's clock: virtual or real
  auto output = runtime.block_on(std::move(future));
  return {std::move(output), runtime.now() - start};
}
