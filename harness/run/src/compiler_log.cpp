#include "wb/run/compiler_log.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "wb/text/text.hpp"

namespace wb::run {
using namespace wb::text;

namespace {

bool is_progress_line(std::string_view line) {
  // ninja's "[3/7] Building CXX object …" and its closing remarks
  if (line.starts_with("ninja: ")) return true;
  if (line.size() < 4 || line[0] != '[') return false;
  auto slash = line.find('/');
  auto close = line.find(']');
  return slash != std::string_view::npos && close != std::string_view::npos && slash < close;
}

std::optional<int> number(std::string_view text) {
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "path:12:5: error: message" (or "path:12: error:" without a column)
std::optional<Diagnostic> parse_location_line(std::string_view line) {
  static constexpr std::string_view severities[] = {"fatal error", "error", "warning", "note"};
  for (auto severity : severities) {
    auto const marker = std::string(": ") + std::string(severity) + ": ";
    auto at = line.find(marker);
    if (at == std::string_view::npos) continue;
    auto location = line.substr(0, at);
    Diagnostic diagnostic;
    diagnostic.severity = std::string(severity);
    diagnostic.message = std::string(line.substr(at + marker.size()));
    // peel ":col" and ":line" off the end
    auto last = location.rfind(':');
    if (last == std::string_view::npos) return std::nullopt;
    auto tail = number(location.substr(last + 1));
    if (!tail) return std::nullopt;
    auto rest = location.substr(0, last);
    auto previous = rest.rfind(':');
    if (previous != std::string_view::npos) {
      if (auto line_number = number(rest.substr(previous + 1))) {
        diagnostic.file = std::string(rest.substr(0, previous));
        diagnostic.line = *line_number;
        diagnostic.column = *tail;
        return diagnostic;
      }
    }
    diagnostic.file = std::string(rest);
    diagnostic.line = *tail;
    return diagnostic;
  }
  return std::nullopt;
}

// GCC quotes code as "   12 |   code" and marks it with "      |   ^~~~".
std::optional<std::string_view> quoted_code(std::string_view line, bool& is_caret) {
  auto bar = line.find(" | ");
  if (bar == std::string_view::npos) {
    if (line.ends_with(" |"))
      bar = line.size() - 2;
    else
      return std::nullopt;
  }
  auto gutter = trim(line.substr(0, bar));
  is_caret = gutter.empty();
  if (!is_caret && !std::all_of(gutter.begin(), gutter.end(),
                                [](unsigned char c) { return std::isdigit(c) || c == '+'; })) {
    return std::nullopt;
  }
  return bar + 3 <= line.size() ? line.substr(bar + 3) : std::string_view{};
}

bool ends_with_any(std::string_view path, std::vector<std::string> const& suffixes) {
  for (auto const& suffix : suffixes) {
    if (suffix.empty()) continue;
    if (path == suffix) return true;
    if (path.size() > suffix.size() && path.ends_with(suffix) &&
        path[path.size() - suffix.size() - 1] == '/') {
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<FailedStep> failed_steps(std::string_view log) {
  std::vector<FailedStep> steps;
  auto const lines = split_lines(strip_ansi(log));
  FailedStep* current = nullptr;
  bool in_command = false;
  for (auto const& line : lines) {
    if (line.starts_with("FAILED: ")) {
      steps.push_back({line.substr(8), {}});
      current = &steps.back();
      in_command = true;  // the next line is the command ninja ran
      continue;
    }
    if (current == nullptr) continue;
    if (is_progress_line(line)) {
      current = nullptr;
      continue;
    }
    if (in_command) {
      in_command = false;
      continue;
    }
    current->text += line;
    current->text += '\n';
  }
  return steps;
}

std::vector<Diagnostic> parse_diagnostics(std::string_view text) {
  std::vector<Diagnostic> diagnostics;
  for (auto const& line : split_lines(strip_ansi(text))) {
    if (auto diagnostic = parse_location_line(line)) {
      diagnostics.push_back(std::move(*diagnostic));
      continue;
    }
    if (diagnostics.empty()) continue;
    bool is_caret = false;
    if (auto code = quoted_code(line, is_caret)) {
      auto& last = diagnostics.back();
      if (is_caret) {
        if (last.caret.empty() && !last.source_line.empty()) last.caret = std::string(*code);
      } else if (last.source_line.empty()) {
        last.source_line = std::string(*code);
      }
    }
  }
  return diagnostics;
}

namespace {

// The error at `index` with the notes that follow it (up to three that say something).
Diagnostic with_notes(std::vector<Diagnostic> const& diagnostics, std::size_t index) {
  Diagnostic error = diagnostics[index];
  for (std::size_t i = index + 1; i < diagnostics.size() && error.notes.size() < 3; ++i) {
    auto const& next = diagnostics[i];
    if (next.severity != "note") break;
    if (next.message == "constraints not satisfied" ||
        next.message.starts_with("in expansion of")) {
      continue;
    }
    error.notes.push_back(next);
  }
  return error;
}

}  // namespace

std::optional<Diagnostic> first_error(std::string_view text,
                                      std::vector<std::string> const& preferred,
                                      std::string_view fallback_fragment) {
  auto const diagnostics = parse_diagnostics(text);
  std::optional<std::size_t> in_chapter;
  std::optional<std::size_t> any;
  for (std::size_t i = 0; i < diagnostics.size(); ++i) {
    auto const& diagnostic = diagnostics[i];
    if (!diagnostic.is_error()) continue;
    if (ends_with_any(diagnostic.file, preferred)) return with_notes(diagnostics, i);
    if (!in_chapter && !fallback_fragment.empty() && contains(diagnostic.file, fallback_fragment)) {
      in_chapter = i;
    }
    if (!any) any = i;
  }
  if (in_chapter) return with_notes(diagnostics, *in_chapter);
  if (any) return with_notes(diagnostics, *any);
  return std::nullopt;
}

std::optional<std::string> first_unlocated_error(std::string_view text) {
  for (auto const& line : split_lines(strip_ansi(text))) {
    if (contains(line, "undefined reference to") || contains(line, "multiple definition of")) {
      return std::string(trim(line));
    }
  }
  for (auto const& line : split_lines(strip_ansi(text))) {
    if (contains(line, "error:") || contains(line, "Error ")) return std::string(trim(line));
  }
  return std::nullopt;
}

}  // namespace wb::run
