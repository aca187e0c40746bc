// Reading what a sanitizer (AddressSanitizer, UBSan, ThreadSanitizer) printed when it stopped a
// test: what kind of mistake, in plain words, and where in the learner's code — and a short
// version of the report (its headings and the frames in the learner's files) to show.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace wb::run {

struct SanitizerReport {
  std::string tool;          // "AddressSanitizer", "UndefinedBehaviorSanitizer", "ThreadSanitizer"
  std::string kind;          // "heap-use-after-free", "data race", "runtime error"
  std::string explanation;   // the kind in plain words, or UBSan's own message
  std::string where;         // "CountdownFuture::poll(wb::Context&) (countdown.hpp:19)", if found
  std::string likely_cause;  // a known mistake that fits what was seen, in words, or empty
  /// A data race: the two accesses in words ("a read in … on one thread, a write in … on
  /// another, which held a lock the read did not"); empty for other kinds.
  std::string accesses;

  /// One line for a failure message.
  std::string summary() const;
};

/// The first sanitizer report in a program's output, if any.
std::optional<SanitizerReport> find_sanitizer_report(std::string_view output);

/// The output with each sanitizer report cut down to its headings and the stack frames in the
/// learner's code (the shadow-memory map and library frames go); other output is kept as it is.
std::string condense_sanitizer_output(std::string_view output);

}  // namespace wb::run
