// Reference solution: the worker loop. The select is biased towards the shutdown signal — it is
// polled first at every turn — so a channel that always has a job cannot hide it; the job itself
// is awaited outside the select, so a shutdown never cuts one off halfway.
#pragma once

#include <cstddef>
#include <jobs.hpp>
#include <shutdown.hpp>
#include <utility>
#include <variant>
#include <wb/combinator/select.hpp>
#include <wb/sync/mpsc.hpp>
#include <wb/task/task.hpp>

// ANCHOR: worker
inline wb::Task<std::size_t> run_worker(wb::mpsc::Receiver<Job>& jobs, ShutdownSignal& shutdown) {
  std::size_t handled = 0;
  for (;;) {
    auto next = co_await wb::select_biased(shutdown.wait(), jobs.recv());  // shutdown first
    if (next.index() == 0) break;  // asked to stop: recv() is dropped, no job is lost
    auto& job = std::get<1>(next);
    if (!job.has_value()) break;           // closed and drained
    co_await handle_job(std::move(*job));  // outside the select: never cut off halfway
    ++handled;
  }
  co_return handled;
}
// ANCHOR_END: worker
