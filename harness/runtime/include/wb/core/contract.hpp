// wb::ContractViolation and wb::NotStarted — the two exceptions the runtime throws at learners:
// a broken rule of the poll contract, and an exercise body that is still a WB_TODO.
#pragma once

#include <stdexcept>
#include <string>

namespace wb {

/// A rule of the poll contract was broken; what() says which, in plain words.
class ContractViolation : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

/// Thrown by WB_TODO: the exercise has not been written yet.
class NotStarted : public std::logic_error {
 public:
  NotStarted(std::string const& what_to_do, char const* file, int line)
      : std::logic_error(what_to_do), file_(file), line_(line) {}
  char const* file() const noexcept { return file_; }
  int line() const noexcept { return line_; }

 private:
  char const* file_;
  int line_;
};

}  // namespace wb

/// Marks the body of an exercise that is still to be written. It compiles anywhere a statement
/// can stand, and tests that reach it report "not started" instead of failing.
#define WB_TODO(what_to_do) throw ::wb::NotStarted((what_to_do), __FILE__, __LINE__)
