// Exercise: two layers around a handler — WithTimeout (no call may take longer than a
// deadline) and WithConcurrencyLimit (no more than `limit` calls inside at once) — and
// make_service, which composes them so that every caller is answered within the deadline of
// its call, counting the time it waited for its turn.
// Read book/src/ch13-production-patterns.md, then replace the WB_TODOs.
// Check your work with:  scripts/workbook check ch13
#pragma once

#include <cstddef>
#include <memory>
#include <service.hpp>
#include <utility>
#include <wb/core/contract.hpp>
#include <wb/sync/semaphore.hpp>
#include <wb/task/task.hpp>
#include <wb/time/clock.hpp>
#include <wb/time/timeout.hpp>

// ANCHOR: timeout_stub
/// Answers a call with the inner service's response if it comes within `deadline` of the call,
/// and otherwise, at the deadline, with ServiceError{timed_out, "timed out after N ms"} — and
/// the inner call is cancelled then, not left running.
template <Service S>
class WithTimeout {
 public:
  using Request = typename S::Request;
  using Response = typename S::Response;

  WithTimeout(S inner, wb::Duration deadline) : inner_(std::move(inner)), deadline_(deadline) {}

  wb::Task<ServiceResult<void>> ready() { WB_TODO("the inner service's readiness"); }

  wb::Task<ServiceResult<Response>> call(Request request) {
    (void)request;
    WB_TODO(
        "co_await wb::timeout(deadline_, inner_.call(...)); turn Elapsed into a timed_out "
        "ServiceError");
  }

 private:
  S inner_;
  wb::Duration deadline_;
};
// ANCHOR_END: timeout_stub

// ANCHOR: limit_stub
/// Lets at most `limit` calls into the inner service at once; a call beyond that waits for a
/// call in flight to end (or to be cancelled). ready() is Ready once a call made now would not
/// have to wait.
template <Service S>
class WithConcurrencyLimit {
 public:
  using Request = typename S::Request;
  using Response = typename S::Response;

  WithConcurrencyLimit(S inner, std::size_t limit)
      : inner_(std::move(inner)), permits_(std::make_shared<wb::Semaphore>(limit)) {}

  wb::Task<ServiceResult<void>> ready() {
    WB_TODO(
        "wait until a permit is free (acquire one and give it back), then the inner "
        "service's readiness");
  }

  wb::Task<ServiceResult<Response>> call(Request request) {
    (void)request;
    WB_TODO("hold a permit from permits_ for the whole inner call");
  }

 private:
  S inner_;
  std::shared_ptr<wb::Semaphore> permits_;
};
// ANCHOR_END: limit_stub

// ANCHOR: make_service_stub
/// The handler with both layers: at most `limit` calls in the handler at once, and every call
/// answered within `deadline` of the moment it was made — waiting for a turn included.
template <Service H>
auto make_service(H handler, wb::Duration deadline, std::size_t limit) {
  (void)deadline;
  (void)limit;
  WB_TODO("wrap the handler in WithTimeout and WithConcurrencyLimit: which one goes outside?");
  return handler;  // the bare handler, so that this compiles until you write it
}
// ANCHOR_END: make_service_stub
