// wb::ready — a future that is Ready at its first poll, with a value or with nothing.
#pragma once

#include <optional>
#include <utility>

#include "wb/core/contract.hpp"
#include "wb/core/future.hpp"

namespace wb {

template <class T>
class ReadyFuture {
 public:
  using Output = T;

  explicit ReadyFuture(T value) : value_(std::move(value)) {}

  Poll<T> poll(Context&) {
    if (!value_) throw ContractViolation("a wb::ready future was polled again after it returned Ready");
    return std::exchange(value_, std::nullopt).value();
  }

 private:
  std::optional<T> value_;
};

template <>
class ReadyFuture<void> {
 public:
  using Output = void;
  Poll<void> poll(Context&) noexcept { return Poll<void>::ready(); }
};

template <class T>
ReadyFuture<std::decay_t<T>> ready(T&& value) {
  return ReadyFuture<std::decay_t<T>>(std::forward<T>(value));
}
inline ReadyFuture<void> ready() { return {}; }

}  // namespace wb
