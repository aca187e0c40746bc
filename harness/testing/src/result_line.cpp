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

std::optional<Status> parse_status(std::string_view text) {
  if (text == "pass") return Status::pass;
  if (text == "fail") return Status::fail;
  if (text == "not_started") return Status::not_started;
  return std::nullopt;
}

}  // namespace

std::string_view to_string(Status status) {
  switch (status) {
    case Status::pass: return "pass";
    case Status::fail: return "fail";
    case Status::not_started: return "not_started";
  }
  return "fail";
}

std::string format_start(std::string_view name) { return "start\t" + escape(name); }

std::string format_end(TestResult const& result) {
  return "end\t" + escape(result.name) + "\t" + std::string(to_string(result.status)) + "\t" +
         escape(result.message);
}

std::optional<Event> parse_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  auto fields = split_tabs(line);
  if (fields.size() == 2 && fields[0] == "start") {
    return Event{true, {unescape(fields[1]), Status::pass, {}}};
  }
  if (fields.size() == 4 && fields[0] == "end") {
    if (auto status = parse_status(fields[2])) {
      return Event{false, {unescape(fields[1]), *status, unescape(fields[3])}};
    }
  }
  return std::nullopt;
}

}  // namespace wb::testing
