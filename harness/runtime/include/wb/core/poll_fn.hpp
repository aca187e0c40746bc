// wb::poll_fn — a one-off future made from a function `Poll<T>(Context&)`.
// Handy for bridging a callback or a flag into a future without writing a class.
#pragma once

#include <type_traits>
#include <utility>

#include "wb/core/address_check.hpp"
#include "wb/core/future.hpp"

namespace wb {

template <class T>
struct is_poll : std::false_type {};
template <class T>
struct is_poll<Poll<T>> : std::true_type {};

// ANCHOR: poll_fn
template <class F>
  requires is_poll<std::invoke_result_t<F&, Context&>>::value
class PollFn {
 public:
  using Output = typename std::invoke_result_t<F&, Context&>::value_type;

  explicit PollFn(F f) : f_(std::move(f)) {}

  Poll<Output> poll(Context& cx) {
    check_.on_poll(this);
    return f_(cx);
  }

 private:
  F f_;
  [[no_unique_address]] AddressCheck check_;
};

template <class F>
PollFn<F> poll_fn(F f) {
  return PollFn<F>(std::move(f));
}
// ANCHOR_END: poll_fn

}  // namespace wb
