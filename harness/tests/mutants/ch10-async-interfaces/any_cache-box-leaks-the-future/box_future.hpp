// Mutant: the BoxFuture never destroys the future it boxed.
#pragma once

#include <concepts>
#include <type_traits>
#include <utility>
#include <wb/core/future.hpp>

template <class T>
class [[nodiscard]] BoxFuture {
 public:
  using Output = T;

  template <wb::Future F>
    requires(std::same_as<wb::output_of<F>, T> && !std::same_as<F, BoxFuture>)
  BoxFuture(F future)  // NOLINT: implicit on purpose
      : future_(new F(std::move(future))), vtable_(&vtable_for<F>) {}

  BoxFuture(BoxFuture&& other) noexcept
      : future_(std::exchange(other.future_, nullptr)),
        vtable_(std::exchange(other.vtable_, nullptr)) {}
  BoxFuture& operator=(BoxFuture&& other) noexcept {
    BoxFuture(std::move(other)).swap(*this);
    return *this;
  }
  ~BoxFuture() {}

  wb::Poll<T> poll(wb::Context& cx) { return vtable_->poll(future_, cx); }

  void swap(BoxFuture& other) noexcept {
    std::swap(future_, other.future_);
    std::swap(vtable_, other.vtable_);
  }

 private:
  struct VTable {
    wb::Poll<T> (*poll)(void* future, wb::Context& cx);
    void (*destroy)(void* future);
  };

  template <class F>
  static constexpr VTable vtable_for{
      [](void* future, wb::Context& cx) -> wb::Poll<T> {
        return static_cast<F*>(future)->poll(cx);
      },
      [](void* future) { delete static_cast<F*>(future); },
  };

  void* future_ = nullptr;
  VTable const* vtable_ = nullptr;
};
