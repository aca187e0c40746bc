// Exercise, part 1: BoxFuture<T> — any future of output T behind one type: the future is moved
// onto the heap and reached through a pointer and a small table of functions, the same shape as
// a Waker's RawWaker. It is what a type-erased interface returns, since every implementation's
// futures have types of their own. Read book/src/ch10-async-interfaces.md, then replace the
// WB_TODOs (and then do any_cache.hpp).
// Check your work with:  scripts/workbook check ch10
#pragma once

#include <concepts>
#include <type_traits>
#include <utility>
#include <wb/core/contract.hpp>
#include <wb/core/future.hpp>

// ANCHOR: box_future_stub
template <class T>
class [[nodiscard]] BoxFuture {
 public:
  using Output = T;

  /// Moves `future` onto the heap. Implicit, so that a function returning BoxFuture<T> can
  /// `return some_future;`.
  template <wb::Future F>
    requires(std::same_as<wb::output_of<F>, T> && !std::same_as<F, BoxFuture>)
  BoxFuture(F future) {  // NOLINT: implicit on purpose
    (void)future;
    WB_TODO(
        "allocate the future on the heap (new F(std::move(future))) and point future_ and "
        "vtable_ at it and at vtable_for<F>");
  }

  BoxFuture(BoxFuture&& other) noexcept
      : future_(std::exchange(other.future_, nullptr)),
        vtable_(std::exchange(other.vtable_, nullptr)) {}
  BoxFuture& operator=(BoxFuture&& other) noexcept {
    BoxFuture(std::move(other)).swap(*this);
    return *this;
  }
  ~BoxFuture() {
    // TODO: destroy the future through the vtable — if there is one: a moved-from BoxFuture
    // has none. (A destructor must not throw, so there is no WB_TODO here.)
  }

  wb::Poll<T> poll(wb::Context& cx) {
    (void)cx;
    WB_TODO("poll the future through the vtable");
  }

  void swap(BoxFuture& other) noexcept {
    std::swap(future_, other.future_);
    std::swap(vtable_, other.vtable_);
  }

 private:
  struct VTable {
    wb::Poll<T> (*poll)(void* future, wb::Context& cx);
    void (*destroy)(void* future);
  };

  /// One table per future type, made at compile time.
  template <class F>
  static constexpr VTable vtable_for{
      [](void* future, wb::Context& cx) -> wb::Poll<T> {
        (void)future;
        (void)cx;
        WB_TODO("poll the F that `future` points to");
      },
      [](void* future) {
        (void)future;  // TODO: delete the F that `future` points to
      },
  };

  void* future_ = nullptr;          // the boxed future, or null once moved from
  VTable const* vtable_ = nullptr;  // how to poll and destroy it
};
// ANCHOR_END: box_future_stub
