// wb::ContractViolation and wb::NotStarted — the two exceptions the runtime throws at learners:
// a broken rule of the poll contract, and an exercise body that is still a WB_TODO.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace wb {

/// A rule of the poll contract was broken; what() says which, in plain words. An oracle's
/// verdict also names the oracle as a field ("parking oracle"), so that reports need not find it
/// in the sentence.
class ContractViolation : public std::logic_error {
 public:
  using std::logic_error::logic_error;
  ContractViolation(std::string oracle, std::string const& verdict)
      : std::logic_error(verdict), oracle_(std::move(oracle)) {}
  /// With the oracle's poll-by-poll timeline of the run (`workbook check --trace`), as text and
  /// as a Mermaid sequence diagram.
  ContractViolation(std::string oracle, std::string const& verdict, std::string trace,
                    std::string trace_diagram)
      : std::logic_error(verdict),
        oracle_(std::move(oracle)),
        trace_(std::move(trace)),
        trace_diagram_(std::move(trace_diagram)) {}
  /// The oracle that gave the verdict; empty for a rule the runtime itself enforces.
  std::string const& oracle() const noexcept { return oracle_; }
  /// The timeline, when one was recorded (check --trace); empty otherwise.
  std::string const& trace() const noexcept { return trace_; }
  std::string const& trace_diagram() const noexcept { return trace_diagram_; }

 private:
  std::string oracle_;
  std::string trace_;
  std::string trace_diagram_;
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
