// The forms `workbook grade` writes its gradebook in, as one table: each format's name (what
// --format takes), the file it writes in --out's folder, whether it is one file per submission,
// and how it is rendered. The command's flags, its help and its writer all read the table, so a
// new format is one row.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "wb/cli/terminal.hpp"
#include "wb/grade/gradebook.hpp"

namespace wb::grade {

/// What a format may draw on besides the gradebook.
struct ReportInputs {
  Gradebook const& book;
  cli::Terminal const& term;
  TestCodeLookup const& test_code;  // the source of a test, for Exercism's "test_code"
  bool quiet = false;               // only the grades (the table leaves out the sandbox and limits)
};

struct ReportFormat {
  std::string_view name;  // what --format takes
  /// Its file in --out's folder; for a format of one file per submission, a pattern in which {}
  /// is the submission's file stem ("gradescope/{}.json"). Empty: printed, never written.
  std::string_view file;
  bool per_submission = false;
  /// The text: of `submission` for a per-submission format, else of the whole book (`submission`
  /// is then null).
  std::string (*render)(ReportInputs const& inputs, SubmissionGrade const* submission) = nullptr;

  /// The file of `submission` in --out's folder (of a per-submission format).
  std::string file_for(SubmissionGrade const& submission) const;
};

/// Every format, the default first, in the order --help lists them.
std::span<ReportFormat const> report_formats();
/// The format named `name`, or null.
ReportFormat const* find_report_format(std::string_view name);
/// The names of the formats (of those with one file per submission, when `per_submission_only`)
/// joined by ", ", the last two by `last_joint`: "table, csv, … or exercism".
std::string report_format_names(std::string_view last_joint, bool per_submission_only = false);

}  // namespace wb::grade
