// Reading a build log: which ninja steps failed, and the compiler's diagnostics (GCC and Clang
// write the same "file:line:col: error: message" shape) — above all the first error that points
// into a file the learner wrote.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wb::run {

struct Diagnostic {
  std::string file;
  int line = 0;
  int column = 0;
  std::string severity;  // "error", "fatal error", "warning", "note"
  std::string message;
  std::string source_line;        // the code the compiler quoted under the diagnostic, if it did
  std::string caret;              // the marker line under it ("    ^~~~"), if any
  std::vector<Diagnostic> notes;  // the notes that explain an error (filled by first_error)

  bool is_error() const { return severity == "error" || severity == "fatal error"; }
};

/// One failed ninja step: what it was building and what the tools printed.
struct FailedStep {
  std::string outputs;  // the text after "FAILED: "
  std::string text;     // the compiler's or linker's output for that step
};

/// Every "FAILED:" step in a ninja log, in order.
std::vector<FailedStep> failed_steps(std::string_view log);

/// Every diagnostic in compiler output, in order (colour codes removed).
std::vector<Diagnostic> parse_diagnostics(std::string_view text);

/// The error to show a learner: the first in a file whose path ends with one of `preferred`
/// (their exercise files), else the first in a path containing `fallback_fragment` (their chapter
/// folder), else the first error at all.
std::optional<Diagnostic> first_error(std::string_view text,
                                      std::vector<std::string> const& preferred,
                                      std::string_view fallback_fragment = "chapters/");

/// A linker's complaint ("undefined reference to …") or other error line without a location.
std::optional<std::string> first_unlocated_error(std::string_view text);

}  // namespace wb::run
