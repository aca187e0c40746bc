// The line protocol between a test program's "wb" reporter and the workbook's runner:
//   start<TAB>test name
//   end<TAB>test name<TAB>pass|fail|not_started<TAB>message[<TAB>key=value]…
// The tagged fields after the message carry the verdict's facts: reason=<Reason>, oracle=<name>,
// location=<file:line>, trace=<timeline>, trace_diagram=<Mermaid>; a line without them (an older test program) reads as reason passed,
// not_started or assertion by its status. Tabs, newlines and backslashes inside fields are
// escaped, so one line is one event.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "wb/testing/verdict.hpp"

namespace wb::testing {

/// What WB_TODO's exception becomes in a Catch2 message (what other reporters show).
inline std::string const not_started_prefix = "not started: ";

struct Event {
  bool is_start = false;
  Verdict result;  // for a start event only the name is set
};

std::string format_start(std::string_view name);
std::string format_end(Verdict const& result);
/// The event on one line, or nothing when the line is not one (a learner's own output, say).
std::optional<Event> parse_line(std::string_view line);

}  // namespace wb::testing
