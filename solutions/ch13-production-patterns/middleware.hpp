// Reference solution: WithTimeout races the inner call against a timer with wb::timeout, which
// drops (cancels) the inner call when the time runs out; WithConcurrencyLimit holds an RAII
// permit for the whole inner call, so a cancelled call gives its permit back too; and the
// timeout goes outside the limit, so that its deadline counts the wait for a permit.
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

// ANCHOR: timeout
template <Service S>
class WithTimeout {
 public:
  using Request = typename S::Request;
  using Response = typename S::Response;

  WithTimeout(S inner, wb::Duration deadline) : inner_(std::move(inner)), deadline_(deadline) {}

  wb::Task<ServiceResult<void>> ready() { co_return co_await inner_.ready(); }

  wb::Task<ServiceResult<Response>> call(Request request) {
    auto response = co_await wb::timeout(deadline_, inner_.call(std::move(request)));
    if (!response) {  // Elapsed: the inner call has been dropped, and so cancelled
      co_return wb::unexpected(ServiceError{ServiceError::Kind::timed_out,
                                            "timed out after " + milliseconds_text(deadline_)});
    }
    co_return std::move(*response);
  }

 private:
  S inner_;
  wb::Duration deadline_;
};
// ANCHOR_END: timeout

// ANCHOR: limit
template <Service S>
class WithConcurrencyLimit {
 public:
  using Request = typename S::Request;
  using Response = typename S::Response;

  WithConcurrencyLimit(S inner, std::size_t limit)
      : inner_(std::move(inner)), permits_(std::make_shared<wb::Semaphore>(limit)) {}

  wb::Task<ServiceResult<void>> ready() {
    {
      auto permit = co_await permits_->acquire();  // a free permit, given back at once
      if (!permit) co_return closed();
    }
    co_return co_await inner_.ready();
  }

  wb::Task<ServiceResult<Response>> call(Request request) {
    // The permit lives in this frame: it goes back when the call ends, and also when the
    // call is cancelled, since cancelling destroys the frame.
    auto permit = co_await permits_->acquire();
    if (!permit) co_return closed();
    co_return co_await inner_.call(std::move(request));
  }

 private:
  static wb::Unexpected<ServiceError> closed() {
    return wb::unexpected(
        ServiceError{ServiceError::Kind::unavailable, "the concurrency limit is closed"});
  }

  S inner_;
  std::shared_ptr<wb::Semaphore> permits_;
};
// ANCHOR_END: limit

// ANCHOR: make_service
template <Service H>
auto make_service(H handler, wb::Duration deadline, std::size_t limit) {
  // Outermost first: the deadline starts when the call is made, so it covers the wait for a
  // permit as well as the handler.
  return WithTimeout(WithConcurrencyLimit(std::move(handler), limit), deadline);
}
// ANCHOR_END: make_service
