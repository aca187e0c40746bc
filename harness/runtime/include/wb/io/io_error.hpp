// wb::IoErrc — the failures the runtime's own I/O helpers report, as std::error_code values in
// the "wb.io" category, so they travel in the same IoResult as the system's errors (a connection
// reset) and read as plainly when printed: error.message() says what went wrong.
#pragma once

#include <string>
#include <system_error>
#include <type_traits>

namespace wb {

enum class IoErrc {
  line_too_long = 1,  // a line went on past the maximum length it was read with
  write_zero,         // a writer accepted no bytes of a non-empty write: it cannot take more
};

namespace detail {
class IoCategory final : public std::error_category {
 public:
  char const* name() const noexcept override { return "wb.io"; }
  std::string message(int code) const override {
    switch (static_cast<IoErrc>(code)) {
      case IoErrc::line_too_long:
        return "line longer than the maximum line length";
      case IoErrc::write_zero:
        return "the writer accepted no bytes (write returned 0)";
    }
    return "unknown wb.io error";
  }
};
}  // namespace detail

inline std::error_category const& io_category() noexcept {
  static detail::IoCategory const category;
  return category;
}

inline std::error_code make_error_code(IoErrc code) noexcept {
  return {static_cast<int>(code), io_category()};
}

}  // namespace wb

template <>
struct std::is_error_code_enum<wb::IoErrc> : std::true_type {};
