// The line protocol between a test program's "wb" reporter and the workbook's runner:
//   start<TAB>test name
//   end<TAB>test name<TAB>pass|fail|not_started<TAB>message
// Tabs, newlines and backslashes inside fields are escaped, so one line is one event.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace wb::testing {

/// What WB_TODO's exception becomes in a Catch2 message; the reporter looks for it.
inline std::string const not_started_prefix = "not started: ";

enum class Status { pass, fail, not_started };

struct TestResult {
  std::string name;
  Status status = Status::pass;
  std::string message;  // the first failure, empty for a pass
};

struct Event {
  bool is_start = false;
  TestResult result;  // for a start event only the name is set
};

std::string format_start(std::string_view name);
std::string format_end(TestResult const& result);
/// The event on one line, or nothing when the line is not one (a learner's own output, say).
std::optional<Event> parse_line(std::string_view line);

std::string_view to_string(Status status);

}  // namespace wb::testing
