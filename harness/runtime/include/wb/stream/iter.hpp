// wb::iter — a stream of the elements of a range (a container, a view, a braced list), every one
// Ready at once. The stream owns the range: a container passed as an rvalue is moved in and its
// elements are moved out one by one; an lvalue is copied.
#pragma once

#include <initializer_list>
#include <iterator>
#include <optional>
#include <ranges>
#include <type_traits>
#include <utility>
#include <vector>

#include "wb/core/address_check.hpp"
#include "wb/core/contract.hpp"
#include "wb/stream/stream.hpp"

namespace wb {

// ANCHOR: iter
template <std::ranges::input_range R>
class Iter {
 public:
  using Item = std::ranges::range_value_t<R>;

  explicit Iter(R range) : range_(std::move(range)) {}
  Iter(Iter&& other) : range_(std::move(other.range_)) {
    if (other.position_)
      throw ContractViolation("a wb::iter stream was moved after its first poll");
  }
  Iter& operator=(Iter&&) = delete;

  Poll<std::optional<Item>> poll_next(Context&) {
    check_.on_poll(this);
    if (!position_) position_.emplace(std::ranges::begin(range_));
    if (*position_ == std::ranges::end(range_)) return std::optional<Item>();  // fused end
    std::optional<Item> item(take(*position_));
    ++*position_;
    return item;
  }

 private:
  static Item take(std::ranges::iterator_t<R>& at) {
    if constexpr (std::ranges::view<R>) {
      return *at;  // a view may show someone else's elements: copy them
    } else {
      return std::ranges::iter_move(at);  // our own container: its elements are ours to move
    }
  }

  R range_;
  std::optional<std::ranges::iterator_t<R>> position_;  // set at the first poll
  [[no_unique_address]] AddressCheck check_;
};

template <std::ranges::input_range R>
Iter<std::remove_cvref_t<R>> iter(R&& range) {
  return Iter<std::remove_cvref_t<R>>(std::forward<R>(range));
}

template <class T>
Iter<std::vector<T>> iter(std::initializer_list<T> items) {
  return Iter<std::vector<T>>(std::vector<T>(items));
}
// ANCHOR_END: iter

}  // namespace wb
