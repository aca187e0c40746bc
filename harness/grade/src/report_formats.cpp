#include "wb/grade/report_formats.hpp"

#include <fmt/core.h>

#include <vector>

namespace wb::grade {
namespace {

// The table on the terminal, and under it (unless --quiet) the sandbox and limits it was graded
// with and where the time went.
std::string render_table(ReportInputs const& inputs, SubmissionGrade const*) {
  auto text = format_table(inputs.book, inputs.term);
  if (!inputs.quiet) {
    text += inputs.term.dim(
                fmt::format("sandbox: {}\nlimits: {}", inputs.book.sandbox, inputs.book.limits)) +
            "\n";
    if (auto const time = describe_grading_time(inputs.book); !time.empty()) {
      text += inputs.term.dim(time) + "\n";
    }
  }
  return text;
}

std::string render_csv(ReportInputs const& inputs, SubmissionGrade const*) {
  return format_csv(inputs.book);
}

std::string render_json(ReportInputs const& inputs, SubmissionGrade const*) {
  return format_json(inputs.book);
}

std::string render_junit(ReportInputs const& inputs, SubmissionGrade const*) {
  return format_junit(inputs.book);
}

std::string render_gradescope(ReportInputs const& inputs, SubmissionGrade const* submission) {
  return format_gradescope(inputs.book, *submission);
}

std::string render_exercism(ReportInputs const& inputs, SubmissionGrade const* submission) {
  return format_exercism(*submission, inputs.test_code);
}

constexpr ReportFormat formats[] = {
    {"table", "", false, render_table},
    {"csv", "gradebook.csv", false, render_csv},
    {"json", "grades.json", false, render_json},
    {"junit", "junit.xml", false, render_junit},
    {"gradescope", "gradescope/{}.json", true, render_gradescope},
    {"exercism", "exercism/{}.json", true, render_exercism},
};

}  // namespace

std::string ReportFormat::file_for(SubmissionGrade const& submission) const {
  return fmt::format(fmt::runtime(file), submission.file_stem);
}

std::span<ReportFormat const> report_formats() { return formats; }

ReportFormat const* find_report_format(std::string_view name) {
  for (auto const& format : formats) {
    if (format.name == name) return &format;
  }
  return nullptr;
}

std::string report_format_names(std::string_view last_joint, bool per_submission_only) {
  std::vector<std::string_view> names;
  for (auto const& format : formats) {
    if (format.per_submission || !per_submission_only) names.push_back(format.name);
  }
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) text += i + 1 == names.size() ? last_joint : std::string_view(", ");
    text += names[i];
  }
  return text;
}

}  // namespace wb::grade
