// Exercise: the dashboard — business logic that asks three services at once and combines their
// answers. It names no executor, so the same code runs on the spin executor, the parking one and
// every kind of wb::Runtime. Read book/src/ch07-executors.md, then replace the two WB_TODOs.
// Check your work with:  scripts/workbook check ch07
#pragma once

#include <services.hpp>
#include <string>
#include <utility>
#include <vector>
#include <wb/combinator/join.hpp>
#include <wb/core/contract.hpp>
#include <wb/task/task.hpp>
#include <wb/time/sleep.hpp>

// ANCHOR: dashboard_stub
/// A stand-in for a call over the network: `answer`, once `latency` has passed on the clock of
/// whatever executor runs it.
template <class T>
wb::Task<T> simulated_call(T answer, wb::Duration latency) {
  (void)answer;
  (void)latency;
  WB_TODO("wait for `latency` without blocking the thread, then co_return the answer");
}

/// Asks the three services at once — profile_name, unread_count and recent_orders, each behind
/// a simulated_call with its latency — and combines their answers.
inline wb::Task<Dashboard> load_dashboard(int user_id, Latencies latencies) {
  (void)user_id;
  (void)latencies;
  WB_TODO(
      "make the three simulated calls, await them together (wb::join) so that they wait at the "
      "same time, and co_return a Dashboard built from their answers");
}
// ANCHOR_END: dashboard_stub
