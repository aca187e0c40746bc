// WithRateLimit — a layer that lets at most `calls` calls start in each window of `per`; a
// call beyond that waits for the next window. The third layer of the chapter, written out as
// an example of the shape the exercise asks for. (Given, not an exercise.)
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <service.hpp>
#include <utility>
#include <wb/task/task.hpp>
#include <wb/time/clock.hpp>
#include <wb/time/sleep.hpp>
#include <wb/time/timer_driver.hpp>

// ANCHOR: rate_limit
template <Service S>
class WithRateLimit {
 public:
  using Request = typename S::Request;
  using Response = typename S::Response;

  WithRateLimit(S inner, std::size_t calls, wb::Duration per)
      : inner_(std::move(inner)), window_(std::make_shared<Window>(calls, per)) {}

  /// Ready once the current window has room for a call (and the inner service is ready).
  wb::Task<ServiceResult<void>> ready() {
    co_await wait_for_room(window_, false);
    co_return co_await inner_.ready();
  }

  wb::Task<ServiceResult<Response>> call(Request request) {
    co_await wait_for_room(window_, true);
    co_return co_await inner_.call(std::move(request));
  }

 private:
  struct Window {
    Window(std::size_t calls, wb::Duration per) : calls(calls), per(per) {}
    std::mutex mutex;  // held for a few instructions, never across a co_await
    std::size_t const calls;
    wb::Duration const per;
    wb::Instant ends{};  // the current window ends here
    std::size_t used = 0;
  };

  /// Waits until the current window has room; takes the room when `take` is true.
  static wb::Task<void> wait_for_room(std::shared_ptr<Window> window, bool take) {
    for (;;) {
      wb::Instant next_window;
      {
        std::lock_guard lock(window->mutex);
        auto const now = wb::TimerDriver::current().now();
        if (now >= window->ends) {  // a new window starts with this call
          window->ends = now + window->per;
          window->used = 0;
        }
        if (window->used < window->calls) {
          if (take) ++window->used;
          co_return;
        }
        next_window = window->ends;
      }
      co_await wb::sleep_until(next_window);  // the lock is released before the await
    }
  }

  S inner_;
  std::shared_ptr<Window> window_;
};
// ANCHOR_END: rate_limit
