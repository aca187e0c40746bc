// wb::AsyncGenerator<T> — a stream written as a coroutine: `co_yield value` hands out the next
// item, `co_await future` waits as inside a wb::Task, and the end of the body (or co_return) is
// the end of the stream. It is C++'s counterpart of Rust's async-stream (`stream! { … }`) and of
// cppcoro's async_generator, made a wb::Stream so that every adaptor and consumer works on it:
//
//   wb::AsyncGenerator<int> ticks(int n) {
//     for (int i = 0; i < n; ++i) {
//       co_await wb::sleep(100ms);
//       co_yield i;
//     }
//   }
//
// Like a Task it is lazy: nothing in the body runs until the first poll_next. Each poll_next
// resumes the body until it yields (Ready(item)), ends (Ready(nullopt), and every later poll
// answers the same: the stream is fused), or reaches a co_await whose future is Pending
// (Pending, with that future's wake-up arranged). The frame is on the heap, so the generator
// may be moved even after its first poll; destroying it before the end cancels the body where
// it stands, destroying its locals.
//
// An exception thrown in the body ends the stream: poll_next rethrows it, once, and the stream
// is over. For failures that are values, yield them: a generator of wb::Expected<T, E> items
// yields the error as its last item and then co_returns — what Rust's try_stream! does.
#pragma once

#include <coroutine>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "wb/core/future.hpp"
#include "wb/task/task.hpp"

namespace wb {

// ANCHOR: async_generator
template <class T>
class [[nodiscard]] AsyncGenerator {
 public:
  using Item = T;

  class promise_type : public detail::TaskPromiseBase {
   public:
    AsyncGenerator get_return_object() noexcept {
      return AsyncGenerator(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    /// `co_yield value`: keep the item and suspend; poll_next hands it out.
    template <class U = T>
    requires std::is_constructible_v<T, U&&> std::suspend_always yield_value(U&& value) {
      item_.emplace(std::forward<U>(value));
      return {};
    }
    void return_void() noexcept {}

   private:
    friend class AsyncGenerator;
    std::optional<T> item_;  // the item just yielded, until poll_next takes it
  };

  AsyncGenerator(AsyncGenerator&& other) noexcept : frame_(std::exchange(other.frame_, nullptr)) {}
  AsyncGenerator& operator=(AsyncGenerator&& other) noexcept {
    AsyncGenerator(std::move(other)).swap(*this);
    return *this;
  }
  ~AsyncGenerator() {
    if (frame_) frame_.destroy();
  }

  Poll<std::optional<T>> poll_next(Context& cx) {
    if (!frame_) return std::optional<T>();  // ended: fused
    auto& promise = frame_.promise();
    auto& waiting = promise.waiting_on_;
    if (waiting.poll != nullptr && !waiting.poll(waiting.awaiter, cx)) return pending;
    waiting = {};
    promise.cx_ = &cx;
    frame_.resume();  // runs to the next co_yield, a Pending co_await, or the end
    promise.cx_ = nullptr;
    if (promise.item_) {
      std::optional<T> item = std::move(promise.item_);
      promise.item_.reset();
      return item;
    }
    if (!frame_.done()) return pending;
    std::exception_ptr error = promise.error_;
    frame_.destroy();
    frame_ = nullptr;
    if (error) std::rethrow_exception(error);  // the stream ends with the exception
    return std::optional<T>();
  }

  void swap(AsyncGenerator& other) noexcept { std::swap(frame_, other.frame_); }

 private:
  explicit AsyncGenerator(std::coroutine_handle<promise_type> frame) noexcept : frame_(frame) {}
  std::coroutine_handle<promise_type> frame_;
};
// ANCHOR_END: async_generator

}  // namespace wb
