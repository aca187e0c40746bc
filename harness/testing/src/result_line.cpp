#include "wb/testing/result_line.hpp"

#include <vector>

namespace wb::testing {
namespace {

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  return out;
}

std::string unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    switch (text[++i]) {
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      default: out += text[i];
    }
  }
  return out;
}

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t begin = 0;
  for (std::size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == '\t') {
      fields.push_back(line.substr(begin, i - begin));
      begin = i + 1;
    }
  }
  return fields;
}

Reason reason_of_untagged(Status status) {
  switch (status) {
    case Status::pass:
      return Reason::passed;
    case Status::not_started:
      return Reason::not_started;
    case Status::fail:
      return Reason::assertion;
  }
  return Reason::assertion;
}

// Reads the tagged fields after the message into `verdict`; false when one is not key=value.
bool read_tags(std::vector<std::string_view> const& fields, std::size_t first, Verdict& verdict) {
  for (std::size_t i = first; i < fields.size(); ++i) {
    auto const equals = fields[i].find('=');
    if (equals == std::string_view::npos) return false;
    auto const key = fields[i].substr(0, equals);
    auto value = unescape(fields[i].substr(equals + 1));
    if (key == "reason") {
      if (auto reason = reason_from_string(value)) verdict.reason = *reason;
    } else if (key == "oracle") {
      verdict.oracle = std::move(value);
    } else if (key == "location") {
      verdict.location = std::move(value);
    } else if (key == "trace") {
      verdict.trace = std::move(value);
    } else if (key == "trace_diagram") {
      verdict.trace_diagram = std::move(value);
    }  // a tag this reader does not know is left out
  }
  return true;
}

}  // namespace

std::string format_start(std::string_view name) { return "start\t" + escape(name); }

std::string format_end(Verdict const& result) {
  std::string line = "end\t" + escape(result.name) + "\t" + std::string(to_string(result.status)) +
                     "\t" + escape(result.message);
  line += "\treason=";
  line += to_string(result.reason);
  if (!result.oracle.empty()) line += "\toracle=" + escape(result.oracle);
  if (!result.location.empty()) line += "\tlocation=" + escape(result.location);
  if (!result.trace.empty()) line += "\ttrace=" + escape(result.trace);
  if (!result.trace_diagram.empty()) line += "\ttrace_diagram=" + escape(result.trace_diagram);
  return line;
}

std::optional<Event> parse_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  auto fields = split_tabs(line);
  if (fields.size() == 2 && fields[0] == "start") {
    Event event{true, {}};
    event.result.name = unescape(fields[1]);
    return event;
  }
  if (fields.size() >= 4 && fields[0] == "end") {
    auto const status = status_from_string(fields[2]);
    if (!status) return std::nullopt;
    Event event{false, {}};
    event.result.name = unescape(fields[1]);
    event.result.status = *status;
    event.result.message = unescape(fields[3]);
    event.result.reason = reason_of_untagged(*status);
    if (!read_tags(fields, 4, event.result)) return std::nullopt;
    return event;
  }
  return std::nullopt;
}

}  // namespace wb::testing
