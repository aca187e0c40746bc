// wb::Poll<T> — the answer to "are you done yet?": Ready with a value, or Pending.
// Poll<void> is Ready or Pending with nothing inside.
#pragma once

#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace wb {

/// The tag a future returns to say "not yet": `return wb::pending;`
struct Pending {
  explicit constexpr Pending() = default;
};
inline constexpr Pending pending{};

template <class T>
class Poll;

namespace detail {
/// What Poll<T> takes as a Ready value: what makes a T, except a Poll<T> itself (copying a
/// non-const Poll<std::any> must copy it, not wrap it inside a new one) and the Pending tag.
template <class U, class T>
concept value_for_poll =
    !std::is_same_v<std::remove_cvref_t<U>, Poll<T>> &&
    !std::is_same_v<std::remove_cvref_t<U>, Pending> && std::is_constructible_v<T, U&&>;
}  // namespace detail

template <class T>
class [[nodiscard]] Poll {
 public:
  using value_type = T;

  // ANCHOR: poll_constructors
  constexpr Poll(Pending) noexcept {}  // NOLINT: implicit on purpose
  template <class U = T>
    requires detail::value_for_poll<U, T>
  constexpr Poll(U&& value)  // NOLINT: `return value;` reads as Ready(value)
      : value_(std::in_place, std::forward<U>(value)) {}
  // ANCHOR_END: poll_constructors

  static constexpr Poll ready(T value) { return Poll(std::move(value)); }

  constexpr bool is_ready() const noexcept { return value_.has_value(); }
  constexpr bool is_pending() const noexcept { return !value_.has_value(); }

  /// The value of a Ready poll. Calling it on Pending is a bug and throws.
  constexpr T& value() & { return checked(); }
  constexpr T&& value() && { return std::move(checked()); }

  friend constexpr bool operator==(Poll const& a, Poll const& b) = default;

 private:
  constexpr T& checked() {
    if (!value_) throw std::logic_error("wb::Poll::value() called on Pending");
    return *value_;
  }
  std::optional<T> value_;
};

template <>
class [[nodiscard]] Poll<void> {
 public:
  using value_type = void;

  constexpr Poll(Pending) noexcept {}  // NOLINT: implicit on purpose
  static constexpr Poll ready() noexcept { return Poll(true); }

  constexpr bool is_ready() const noexcept { return ready_; }
  constexpr bool is_pending() const noexcept { return !ready_; }

  /// Nothing, for a Ready poll; lets generic code write `return std::move(p).value();`.
  constexpr void value() const {
    if (!ready_) throw std::logic_error("wb::Poll::value() called on Pending");
  }

  friend constexpr bool operator==(Poll const& a, Poll const& b) = default;

 private:
  constexpr explicit Poll(bool ready) noexcept : ready_(ready) {}
  bool ready_ = false;
};

}  // namespace wb
