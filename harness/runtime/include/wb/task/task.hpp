// wb::Task<T> — a lazy C++20 coroutine that is itself a wb::Future: nothing runs until the
// first poll, and each poll resumes the coroutine until it finishes or reaches a co_await whose
// future is Pending. Inside it, `co_await` works on any wb::Future, polled with the Context of
// the Task's own poll. Exceptions reach whoever awaits the Task.
//
// No coroutine ever resumes another from inside its own frame: an awaited Task is polled, runs
// until it suspends or ends, and returns to the poll that resumed it. So the stack is as deep as
// the nesting of awaits, never as long as the number of awaits: a loop of a million co_awaits
// that are Ready at once runs in constant stack.
#pragma once

#include <coroutine>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "wb/core/contract.hpp"
#include "wb/core/future.hpp"

namespace wb {

template <class T = void>
class Task;

template <class T>
class AsyncGenerator;

namespace detail {

/// The future a suspended coroutine waits for, without its type: the awaiter that holds it,
/// and how to poll it.
struct AwaitedFuture {
  void* awaiter = nullptr;
  bool (*poll)(void* awaiter, Context& cx) = nullptr;  // true when it is Ready (or threw)
};

template <class F>
class FutureAwaiter;

// ANCHOR: task_promise
class TaskPromiseBase {
 public:
  std::suspend_always initial_suspend() noexcept { return {}; }  // lazy: wait for the first poll
  std::suspend_always final_suspend() noexcept { return {}; }    // stay, so poll() reads the result
  void unhandled_exception() noexcept { error_ = std::current_exception(); }

  /// `co_await future` inside a Task: an awaiter that polls `future` with the Task's Context.
  /// An rvalue is moved into the awaiter (which lives in the coroutine frame, so it never moves
  /// again); an lvalue is polled where it is.
  template <class F>
  requires Future<std::remove_cvref_t<F>> FutureAwaiter<F> await_transform(F&& future) {
    return FutureAwaiter<F>(std::forward<F>(future), *this);
  }

  template <class A>
  requires(!Future<std::remove_cvref_t<A>>) A && await_transform(A&& awaitable) {
    static_assert(Future<std::remove_cvref_t<A>>,
                  "inside a wb::Task, co_await works on wb::Future values (a type with Output and "
                  "poll(Context&)); this operand is not one");
    return std::forward<A>(awaitable);
  }

 private:
  template <class>
  friend class FutureAwaiter;
  template <class>
  friend class wb::Task;
  template <class>
  friend class wb::AsyncGenerator;

  Context* cx_ = nullptr;     // the Context of the poll in progress
  AwaitedFuture waiting_on_;  // set while suspended on a Pending future
  std::exception_ptr error_;  // what the coroutine body threw
};

template <class F>
class FutureAwaiter {
  using Fut = std::remove_reference_t<F>;
  using Out = output_of<Fut>;

 public:
  FutureAwaiter(F&& future, TaskPromiseBase& promise)
      : future_(std::forward<F>(future)), promise_(promise) {}

  // The first poll happens here, inside the coroutine body: what it throws is thrown at the
  // co_await. Ready at once means no suspension at all, so no stack is used up.
  bool await_ready() { return try_poll(*promise_.cx_); }
  void await_suspend(std::coroutine_handle<>) noexcept {
    promise_.waiting_on_ = AwaitedFuture{this, &poll_again};
  }
  Out await_resume() {
    if (error_) std::rethrow_exception(error_);
    if constexpr (!std::is_void_v<Out>) return std::move(*result_);
  }

 private:
  bool try_poll(Context& cx) {
    auto result = future_.poll(cx);
    if (result.is_pending()) return false;
    if constexpr (std::is_void_v<Out>) {
      result_ = true;
    } else {
      result_.emplace(std::move(result).value());
    }
    return true;
  }
  // Later polls come from Task::poll, outside the coroutine body: an exception is kept and
  // rethrown by await_resume, at the co_await where it belongs.
  static bool poll_again(void* self, Context& cx) {
    auto& me = *static_cast<FutureAwaiter*>(self);
    try {
      return me.try_poll(cx);
    } catch (...) {
      me.error_ = std::current_exception();
      return true;
    }
  }

  F future_;  // the future itself for an rvalue, a reference for an lvalue
  TaskPromiseBase& promise_;
  std::optional<std::conditional_t<std::is_void_v<Out>, bool, Out>> result_;
  std::exception_ptr error_;
};
// ANCHOR_END: task_promise

template <class T>
class TaskReturn {
 public:
  template <class U = T>
  requires std::is_constructible_v<T, U&&>
  void return_value(U&& value) { value_.emplace(std::forward<U>(value)); }

 protected:
  std::optional<T> value_;
};

template <>
class TaskReturn<void> {
 public:
  void return_void() noexcept {}
};

}  // namespace detail

template <class T>
class [[nodiscard]] Task {
 public:
  using Output = T;

  class promise_type : public detail::TaskPromiseBase, public detail::TaskReturn<T> {
   public:
    Task get_return_object() noexcept {
      return Task(std::coroutine_handle<promise_type>::from_promise(*this));
    }

   private:
    friend class Task;
  };

  Task(Task&& other) noexcept : frame_(std::exchange(other.frame_, nullptr)) {}
  Task& operator=(Task&& other) noexcept {
    Task(std::move(other)).swap(*this);
    return *this;
  }
  /// Destroying a Task that has not finished cancels it: the frame, and every future it was
  /// awaiting, is destroyed.
  ~Task() {
    if (frame_) frame_.destroy();
  }

  // ANCHOR: task_poll
  Poll<T> poll(Context& cx) {
    if (!frame_) {
      throw ContractViolation("a wb::Task was polled after it returned Ready (or after a move)");
    }
    auto& promise = frame_.promise();
    auto& waiting = promise.waiting_on_;
    if (waiting.poll != nullptr && !waiting.poll(waiting.awaiter, cx)) return pending;
    waiting = {};
    promise.cx_ = &cx;
    frame_.resume();  // runs to the next Pending co_await, or to the end
    promise.cx_ = nullptr;
    if (!frame_.done()) return pending;

    struct Destroy {  // the frame goes as soon as the result is out of it
      std::coroutine_handle<promise_type> frame;
      ~Destroy() { frame.destroy(); }
    } destroy{std::exchange(frame_, nullptr)};
    if (promise.error_) std::rethrow_exception(promise.error_);
    if constexpr (std::is_void_v<T>) {
      return Poll<void>::ready();
    } else {
      return std::move(*promise.value_);
    }
  }
  // ANCHOR_END: task_poll

  void swap(Task& other) noexcept { std::swap(frame_, other.frame_); }

 private:
  explicit Task(std::coroutine_handle<promise_type> frame) noexcept : frame_(frame) {}
  std::coroutine_handle<promise_type> frame_;
};

}  // namespace wb
