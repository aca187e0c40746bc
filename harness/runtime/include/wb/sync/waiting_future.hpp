// wb::WaitingFuture — the one shell for a future that waits in a channel's WaitList through a
// receiver (broadcast's recv(), watch's changed()): it owns the waiter the list points to and a
// share of the list, so dropping it leaves the list safely even when the receiver it came from
// has been moved from or is gone. The receiver's poll function does the rest.
#pragma once

#include <memory>
#include <mutex>
#include <utility>

#include "wb/core/address_check.hpp"
#include "wb/core/contract.hpp"
#include "wb/core/future.hpp"
#include "wb/sync/wait_list.hpp"

namespace wb {

/// The lock and the queue of waiters that a channel shares with the futures waiting on it.
struct SharedWaitList {
  std::mutex mutex;
  WaitList<Waiter> waiting;
};

/// A future of Out that polls through (source.*PollWait)(waiter, cx). It may be moved until its
/// first poll only, since the list then points at its waiter.
template <class Source, class Out, Poll<Out> (Source::*PollWait)(Waiter&, Context&)>
class WaitingFuture {
 public:
  using Output = Out;

  WaitingFuture(Source& source, std::shared_ptr<SharedWaitList> list)
      : source_(&source), list_(std::move(list)) {}
  WaitingFuture(WaitingFuture&& other) : source_(other.source_), list_(other.list_) {
    if (other.polled_) throw ContractViolation("a channel's waiting future was moved after a poll");
  }
  WaitingFuture& operator=(WaitingFuture&&) = delete;
  ~WaitingFuture() {
    if (!polled_) return;
    std::lock_guard lock(list_->mutex);
    list_->waiting.remove(waiter_);
  }  // waiter_ (and its waker) goes after the lock is released

  Poll<Output> poll(Context& cx) {
    check_.on_poll(this);
    if (!list_) throw ContractViolation("a future of a moved-from channel receiver was polled");
    polled_ = true;
    return (source_->*PollWait)(waiter_, cx);
  }

 private:
  Source* source_;
  std::shared_ptr<SharedWaitList> list_;
  Waiter waiter_;
  bool polled_ = false;
  [[no_unique_address]] AddressCheck check_;
};

}  // namespace wb
