// Exercise: a worker loop that stops when asked, even while its channel is never empty. Read
// book/src/ch12-pitfalls.md, then replace the WB_TODO.
// Check your work with:  scripts/workbook check ch12
#pragma once

#include <cstddef>
#include <jobs.hpp>
#include <shutdown.hpp>
#include <utility>
#include <variant>
#include <wb/combinator/select.hpp>
#include <wb/core/contract.hpp>
#include <wb/sync/mpsc.hpp>
#include <wb/task/task.hpp>

// ANCHOR: worker_stub
/// Takes jobs from `jobs` and handles each (co_await handle_job(job)) until `shutdown` is
/// triggered or the channel is closed and empty; returns how many jobs it handled. A job that
/// has started is finished before the loop stops.
inline wb::Task<std::size_t> run_worker(wb::mpsc::Receiver<Job>& jobs, ShutdownSignal& shutdown) {
  (void)jobs;
  (void)shutdown;
  WB_TODO(
      "loop: select between shutdown.wait() and jobs.recv() so that the shutdown is seen even "
      "when a job is always waiting; stop on shutdown or a closed channel, else handle the job");
}
// ANCHOR_END: worker_stub
