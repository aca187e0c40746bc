// wb::Expected<T, E> — a value or the error that stands in its place, for results where failure
// is an ordinary outcome (a timeout that elapsed) rather than an exception. GCC 12 offers no
// std::expected in C++20 mode, so this is the small subset the runtime needs, spelled the same
// way (has_value, value, error, operator*, unexpected) so that code moves to std:: unchanged.
//
// The storage is a tagged union whose copies and moves touch only the member in use (a
// std::variant of trivial types is copied byte for byte, which GCC 12 misreads as a read of
// uninitialized memory).
#pragma once

#include <memory>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace wb {

/// Wraps an error on its way into an Expected: `return wb::unexpected(Elapsed{});`
template <class E>
struct Unexpected {
  E error;
};

template <class E>
Unexpected<std::decay_t<E>> unexpected(E&& error) {
  return {std::forward<E>(error)};
}

/// Thrown by value() when the Expected holds an error.
class BadExpectedAccess : public std::logic_error {
 public:
  BadExpectedAccess() : std::logic_error("wb::Expected::value() called on an error") {}
};

template <class T, class E>
class Expected;

namespace detail {
template <class T>
inline constexpr bool is_expected = false;
template <class T, class E>
inline constexpr bool is_expected<Expected<T, E>> = true;
template <class T>
inline constexpr bool is_unexpected = false;
template <class E>
inline constexpr bool is_unexpected<Unexpected<E>> = true;

/// A bool made from an Expected through its explicit operator bool: true or false, never wanted.
template <class U, class T>
concept bool_from_expected =
    std::is_same_v<std::remove_cv_t<T>, bool> && is_expected<std::remove_cvref_t<U>>;

/// What Expected<T, E> takes as its value, with std::expected's exclusions: never an Expected of
/// the same type (copying a non-const Expected must copy it, not wrap it), never an Unexpected,
/// and for T = bool no Expected at all.
template <class U, class T, class E>
concept value_for_expected = !std::is_same_v<std::remove_cvref_t<U>, Expected<T, E>> &&
                             !is_unexpected<std::remove_cvref_t<U>> && !bool_from_expected<U, T> &&
                             std::is_constructible_v<T, U&&>;
}  // namespace detail

template <class T, class E>
class [[nodiscard]] Expected {
  static constexpr bool copyable =
      std::is_copy_constructible_v<T> && std::is_copy_constructible_v<E>;
  static constexpr bool nothrow_movable =
      std::is_nothrow_move_constructible_v<T> && std::is_nothrow_move_constructible_v<E>;

 public:
  using value_type = T;
  using error_type = E;

  template <class U = T>
    requires detail::value_for_expected<U, T, E>
  Expected(U&& value) : has_value_(true) {  // NOLINT: implicit, like std::expected
    std::construct_at(&value_, std::forward<U>(value));
  }
  template <class G>
  Expected(Unexpected<G> error) : has_value_(false) {  // NOLINT: implicit, like std::expected
    std::construct_at(&error_, std::move(error.error));
  }

  Expected(Expected const& other)
    requires copyable
      : has_value_(other.has_value_) {
    if (has_value_) {
      std::construct_at(&value_, other.value_);
    } else {
      std::construct_at(&error_, other.error_);
    }
  }
  Expected(Expected&& other) noexcept(nothrow_movable) : has_value_(other.has_value_) {
    if (has_value_) {
      std::construct_at(&value_, std::move(other.value_));
    } else {
      std::construct_at(&error_, std::move(other.error_));
    }
  }
  Expected& operator=(Expected&& other) noexcept
    requires nothrow_movable
  {
    if (this != &other) {
      destroy();
      std::construct_at(this, std::move(other));
    }
    return *this;
  }
  ~Expected() { destroy(); }

  bool has_value() const noexcept { return has_value_; }
  explicit operator bool() const noexcept { return has_value_; }

  T& value() & { return checked(); }
  T const& value() const& { return const_cast<Expected*>(this)->checked(); }
  T&& value() && { return std::move(checked()); }
  T& operator*() & noexcept { return value_; }
  T const& operator*() const& noexcept { return value_; }
  T&& operator*() && noexcept { return std::move(value_); }
  T* operator->() noexcept { return &value_; }
  T const* operator->() const noexcept { return &value_; }

  E& error() & noexcept { return error_; }
  E const& error() const& noexcept { return error_; }

  template <class U>
  T value_or(U&& fallback) && {
    return has_value_ ? std::move(value_) : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  T& checked() {
    if (!has_value_) throw BadExpectedAccess();
    return value_;
  }
  void destroy() noexcept {
    if (has_value_) {
      value_.~T();
    } else {
      error_.~E();
    }
  }

  bool has_value_;
  union {
    T value_;
    E error_;
  };
};

/// Expected<void, E>: success with nothing inside, or an error.
template <class E>
class [[nodiscard]] Expected<void, E> {
 public:
  using value_type = void;
  using error_type = E;

  Expected() noexcept : has_value_(true) {}
  template <class G>
  Expected(Unexpected<G> error) : has_value_(false) {  // NOLINT: implicit, like std::expected
    std::construct_at(&error_, std::move(error.error));
  }
  Expected(Expected const& other)
    requires std::is_copy_constructible_v<E>
      : has_value_(other.has_value_) {
    if (!has_value_) std::construct_at(&error_, other.error_);
  }
  Expected(Expected&& other) noexcept(std::is_nothrow_move_constructible_v<E>)
      : has_value_(other.has_value_) {
    if (!has_value_) std::construct_at(&error_, std::move(other.error_));
  }
  Expected& operator=(Expected&& other) noexcept
    requires std::is_nothrow_move_constructible_v<E>
  {
    if (this != &other) {
      destroy();
      std::construct_at(this, std::move(other));
    }
    return *this;
  }
  ~Expected() { destroy(); }

  bool has_value() const noexcept { return has_value_; }
  explicit operator bool() const noexcept { return has_value_; }
  void value() const {
    if (!has_value_) throw BadExpectedAccess();
  }
  E& error() & noexcept { return error_; }
  E const& error() const& noexcept { return error_; }

 private:
  void destroy() noexcept {
    if (!has_value_) error_.~E();
  }

  bool has_value_;
  union {
    E error_;
  };
};

}  // namespace wb
