#include "wb/grade/gradebook.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "wb/book/html.hpp"
#include "wb/text/text.hpp"

namespace wb::grade {
using namespace wb::text;  // text helpers
using nlohmann::json;

int GradedExercise::points() const {
  return std::accumulate(tests.begin(), tests.end(), 0,
                         [](int sum, GradedTest const& test) { return sum + test.points; });
}

int GradedExercise::max_points() const {
  return std::accumulate(tests.begin(), tests.end(), 0,
                         [](int sum, GradedTest const& test) { return sum + test.max_points; });
}

int GradedChapter::points() const {
  return std::accumulate(exercises.begin(), exercises.end(), 0,
                         [](int sum, GradedExercise const& e) { return sum + e.points(); });
}

int GradedChapter::max_points() const {
  return std::accumulate(exercises.begin(), exercises.end(), 0,
                         [](int sum, GradedExercise const& e) { return sum + e.max_points(); });
}

int SubmissionGrade::points() const {
  return std::accumulate(chapters.begin(), chapters.end(), 0,
                         [](int sum, GradedChapter const& c) { return sum + c.points(); });
}

int SubmissionGrade::max_points() const {
  return std::accumulate(chapters.begin(), chapters.end(), 0,
                         [](int sum, GradedChapter const& c) { return sum + c.max_points(); });
}

GradingTime& GradingTime::operator+=(GradingTime const& more) {
  unpack += more.unpack;
  compile += more.compile;
  inspect += more.inspect;
  link += more.link;
  run += more.run;
  other += more.other;
  return *this;
}

bool SubmissionGrade::cached() const {
  for (auto const& chapter : chapters) {
    for (auto const& exercise : chapter.exercises) {
      if (exercise.submitted && !exercise.cached) return false;
    }
  }
  return true;
}

std::string cut_output(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return std::string(text);
  std::size_t end = limit;
  // back to the start of a UTF-8 character
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  if (auto newline = text.rfind('\n', end);
      newline != std::string_view::npos && newline + 200 > end && newline > 0) {
    end = newline + 1;
  }
  auto out = std::string(text.substr(0, end));
  if (!out.empty() && out.back() != '\n') out += '\n';
  out += fmt::format("[… output cut: {} more bytes]\n", text.size() - end);
  return out;
}

std::string printable(std::string_view text, bool multiline) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    auto const c = static_cast<unsigned char>(text[i]);
    std::size_t const length = c < 0x80           ? 1
                               : (c >> 5) == 0x6  ? 2
                               : (c >> 4) == 0xE  ? 3
                               : (c >> 3) == 0x1E ? 4
                                                  : 0;
    bool valid = length > 0 && i + length <= text.size();
    char32_t code = length == 1   ? c
                    : length == 2 ? (c & 0x1F)
                    : length == 3 ? (c & 0x0F)
                                  : (c & 0x07);
    for (std::size_t k = 1; valid && k < length; ++k) {
      auto const next = static_cast<unsigned char>(text[i + k]);
      valid = (next & 0xC0) == 0x80;
      code = (code << 6) | (next & 0x3F);
    }
    // overlong forms, surrogates and values past U+10FFFF are not UTF-8 either
    valid = valid && !(length == 2 && code < 0x80) && !(length == 3 && code < 0x800) &&
            !(length == 4 && (code < 0x10000 || code > 0x10FFFF)) &&
            !(code >= 0xD800 && code <= 0xDFFF);
    if (!valid) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
      continue;
    }
    if (code == '\r' && multiline && i + 1 < text.size() && text[i + 1] == '\n') {
      ++i;  // a CRLF line end is a line end
      continue;
    }
    bool const kept_space = multiline && (code == '\n' || code == '\t');
    bool const control = (code < 0x20 && !kept_space) || (code >= 0x7F && code < 0xA0);
    bool const reorders = (code >= 0x202A && code <= 0x202E) ||
                          (code >= 0x2066 && code <= 0x2069) || code == 0x200E || code == 0x200F ||
                          code == 0x061C;
    if (control) {
      out += code == '\n'   ? std::string("\\n")
             : code == '\t' ? std::string("\\t")
             : code == '\r' ? std::string("\\r")
                            : fmt::format("\\x{:02x}", static_cast<unsigned>(code));
    } else if (reorders) {
      out += fmt::format("\\u{{{:04x}}}", static_cast<unsigned>(code));
    } else {
      out.append(text.substr(i, length));
    }
    i += length;
  }
  return out;
}

std::string cap_text(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return std::string(text);
  auto marker = [&](std::size_t kept) {
    return fmt::format(" [… {} more bytes cut]", text.size() - kept);
  };
  auto const room = limit - std::min(limit, marker(0).size());
  std::size_t end = room;
  // back to the start of a UTF-8 character
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + marker(end);
}

GradedTest test_not_run(std::string name, int max_points, wb::testing::Reason reason,
                        std::string message) {
  GradedTest test;
  test.name = std::move(name);
  test.max_points = max_points;
  test.status = wb::testing::Status::fail;
  test.reason = reason;
  test.message = std::move(message);
  test.ran = false;
  return test;
}

std::string_view reason_word(wb::testing::Verdict const& verdict) {
  using wb::testing::Reason;
  if (verdict.status == wb::testing::Status::pass) return "passed";
  if (verdict.status == wb::testing::Status::not_started) return "not started";
  switch (verdict.reason) {
    case Reason::passed:  // (a failed test does not have it)
    case Reason::assertion:
    case Reason::contract:
    case Reason::exception:
    case Reason::sanitizer:
      return verdict.ran ? "failed" : "did not run";
    case Reason::not_started:
      return "not started";
    case Reason::timed_out:
      return verdict.ran ? "timeout" : "did not run";
    case Reason::watchdog:
      return verdict.ran ? "hang" : "did not run";
    case Reason::crashed:
      return "crash";
    case Reason::exited:
      return "exited early";
    case Reason::too_much_output:
      return "output limit";
    case Reason::out_of_time:
      return "time budget";
    case Reason::skipped:
    case Reason::did_not_run:
      return "did not run";
    case Reason::compile_error:
      return "compile error";
    case Reason::memory_limit:
      return "memory limit";
    case Reason::not_submitted:
      return "not submitted";
  }
  return "did not run";
}

void make_presentable(GradedExercise& exercise) {
  exercise.compile_error = cap_text(printable(exercise.compile_error), max_compile_error_bytes);
  for (auto& note : exercise.notes) note = cap_text(printable(note), max_test_message_bytes);
  for (auto& test : exercise.tests) {
    test.message = cap_text(printable(test.message), max_test_message_bytes);
    test.oracle = cap_text(printable(test.oracle, false), max_test_message_bytes);
    test.location = cap_text(printable(test.location, false), max_test_message_bytes);
    test.output = printable(test.output);
  }
}

namespace {

// JSON must be valid UTF-8; a learner's program can print anything.
std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    auto const c = static_cast<unsigned char>(text[i]);
    std::size_t length = c < 0x80           ? 1
                         : (c >> 5) == 0x6  ? 2
                         : (c >> 4) == 0xE  ? 3
                         : (c >> 3) == 0x1E ? 4
                                            : 0;
    bool ok = length > 0 && i + length <= text.size();
    for (std::size_t k = 1; ok && k < length; ++k) {
      ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    }
    if (ok) {
      out.append(text.substr(i, length));
      i += length;
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
    }
  }
  return out;
}

json test_json(GradedTest const& test) {
  return {{"name", test.name},
          {"points", test.points},
          {"max_points", test.max_points},
          {"status", wb::testing::to_string(test.status)},
          {"reason", reason_word(test)},
          {"reason_code", wb::testing::to_string(test.reason)},
          {"ran", test.ran},
          {"oracle", valid_utf8(test.oracle)},
          {"location", valid_utf8(test.location)},
          {"message", valid_utf8(test.message)},
          {"output", valid_utf8(test.output)},
          {"seconds", test.seconds()}};
}

}  // namespace

json to_json(GradedExercise const& exercise) {
  json tests = json::array();
  for (auto const& test : exercise.tests) tests.push_back(test_json(test));
  return {{"chapter", exercise.chapter},
          {"exercise", exercise.exercise},
          {"title", exercise.title},
          {"submitted", exercise.submitted},
          {"compiled", exercise.compiled},
          {"compile_error", valid_utf8(exercise.compile_error)},
          {"notes", exercise.notes},
          {"points", exercise.points()},
          {"max_points", exercise.max_points()},
          {"seconds", exercise.seconds},
          {"cached", exercise.cached},
          {"tests", std::move(tests)}};
}

GradedExercise exercise_from_json(json const& j) {
  GradedExercise exercise;
  exercise.chapter = j.at("chapter").get<std::string>();
  exercise.exercise = j.at("exercise").get<std::string>();
  exercise.title = j.value("title", "");
  exercise.submitted = j.value("submitted", true);
  exercise.compiled = j.value("compiled", true);
  exercise.compile_error = j.value("compile_error", "");
  exercise.notes = j.value("notes", std::vector<std::string>{});
  exercise.seconds = j.value("seconds", 0.0);
  for (auto const& t : j.at("tests")) {
    GradedTest test;
    test.name = t.at("name").get<std::string>();
    test.points = t.value("points", 0);
    test.max_points = t.value("max_points", 0);
    // An entry without a status or reason it knows is from another version: it is not read.
    auto const status = wb::testing::status_from_string(t.at("status").get<std::string>());
    auto const reason = wb::testing::reason_from_string(t.at("reason_code").get<std::string>());
    if (!status || !reason) throw std::runtime_error("a test's status or reason is unknown");
    test.status = *status;
    test.reason = *reason;
    test.ran = t.value("ran", true);
    test.oracle = t.value("oracle", "");
    test.location = t.value("location", "");
    test.message = t.value("message", "");
    test.output = t.value("output", "");
    test.duration = std::chrono::milliseconds(
        static_cast<long long>(std::llround(t.value("seconds", 0.0) * 1000)));
    exercise.tests.push_back(std::move(test));
  }
  return exercise;
}

namespace {

GradedChapter const* chapter_of(SubmissionGrade const& submission, std::string const& id) {
  for (auto const& chapter : submission.chapters) {
    if (chapter.id == id) return &chapter;
  }
  return nullptr;
}

// The reasons tests failed, most frequent first: "timeout ×8" or "crash ×2, failed ×1".
std::string reasons_of(SubmissionGrade const& submission) {
  std::vector<std::pair<std::string, int>> counts;
  for (auto const& chapter : submission.chapters) {
    for (auto const& exercise : chapter.exercises) {
      for (auto const& test : exercise.tests) {
        if (test.passed()) continue;
        auto const reason = reason_word(test);
        auto found = std::find_if(counts.begin(), counts.end(),
                                  [&](auto const& entry) { return entry.first == reason; });
        if (found == counts.end()) {
          counts.emplace_back(reason, 1);
        } else {
          ++found->second;
        }
      }
    }
  }
  std::stable_sort(counts.begin(), counts.end(),
                   [](auto const& a, auto const& b) { return a.second > b.second; });
  std::string text;
  for (auto const& [reason, count] : counts) {
    if (!text.empty()) text += ", ";
    text += fmt::format("{} ×{}", reason, count);
  }
  return text;
}

// The notes that flag a submission for review ("review countdown.hpp: …", "review
// countdown.hpp (as compiled): …"), over all its exercises.
std::vector<std::string> review_flags(SubmissionGrade const& submission) {
  std::vector<std::string> flags;
  for (auto const& chapter : submission.chapters) {
    for (auto const& exercise : chapter.exercises) {
      for (auto const& note : exercise.notes) {
        if (note.starts_with("review ")) flags.push_back(chapter.id + " " + note);
      }
    }
  }
  return flags;
}

std::string pad(std::string_view text, std::size_t width, bool right = false) {
  auto const shown = display_width(text);
  if (shown >= width) return std::string(text);
  std::string spaces(width - shown, ' ');
  return right ? spaces + std::string(text) : std::string(text) + spaces;
}

}  // namespace

std::string format_table(Gradebook const& book, cli::Terminal const& term) {
  std::size_t name_width = 10;
  for (auto const& submission : book.submissions) {
    name_width = std::max(name_width, display_width(submission.name));
  }
  name_width = std::min<std::size_t>(name_width, 32);
  std::string out = pad("submission", name_width);
  for (auto const& [id, title] : book.chapters) out += "  " + pad(id, 7, true);
  out += "  " + pad("total", 9, true) + "  " + pad("%", 4, true) + "  why points were lost\n";
  for (auto const& submission : book.submissions) {
    auto name = submission.name.size() > name_width
                    ? submission.name.substr(0, name_width - 1) + "…"
                    : submission.name;
    std::string line = pad(name, name_width);
    if (!submission.error.empty()) {
      out += line + "  " + term.red("not graded: " + submission.error) + "\n";
      continue;
    }
    for (auto const& [id, title] : book.chapters) {
      auto const* chapter = chapter_of(submission, id);
      std::string cell =
          chapter == nullptr ? "-" : fmt::format("{}/{}", chapter->points(), chapter->max_points());
      bool const full = chapter != nullptr && chapter->points() == chapter->max_points();
      auto padded = pad(cell, 7, true);
      line += "  " + (full ? term.green(padded) : padded);
    }
    int const max = submission.max_points();
    line += "  " + pad(fmt::format("{}/{}", submission.points(), max), 9, true);
    line += "  " + pad(fmt::format("{}", max > 0 ? submission.points() * 100 / max : 0), 4, true);
    line += "  " + term.dim(reasons_of(submission));
    if (auto const flags = review_flags(submission).size(); flags > 0) {
      line += "  " + term.yellow(fmt::format("flagged for review ({}, see the notes)", flags));
    }
    if (submission.cached()) line += term.dim(" (cached)");
    out += line + "\n";
  }
  return out;
}

std::string describe_grading_time(Gradebook const& book) {
  GradingTime sum;
  std::size_t graded = 0;
  for (auto const& submission : book.submissions) {
    if (!submission.error.empty()) continue;
    sum += submission.time;
    ++graded;
  }
  if (graded == 0) return {};
  auto const n = static_cast<double>(graded);
  auto const total = sum.total() / n;
  auto part = [&](std::string_view name, double seconds) {
    return fmt::format("{} {:.1f} s ({:.0f}%)", name, seconds / n,
                       total > 0 ? 100 * seconds / n / total : 0.0);
  };
  return fmt::format(
      "grading time per submission ({} graded, its exercises' steps summed): {:.1f} s — {}, {}, "
      "{}, {}, {}, {}",
      graded, total, part("unpack", sum.unpack), part("compile", sum.compile),
      part("inspect", sum.inspect), part("link", sum.link), part("run tests", sum.run),
      part("other", sum.other));
}

namespace {

std::string csv_field(std::string_view text) {
  std::string value(text);
  // A spreadsheet would run a cell that starts with these as a formula.
  if (!value.empty() && std::string_view("=+-@\t\r").find(value.front()) != std::string::npos) {
    value.insert(value.begin(), '\'');
  }
  if (value.find_first_of(",\"\n\r") == std::string::npos) return value;
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

std::string format_csv(Gradebook const& book) {
  std::string out = "submission";
  for (auto const& [id, title] : book.chapters) out += "," + csv_field(id);
  out += ",total,max,percent,notes\n";
  for (auto const& submission : book.submissions) {
    out += csv_field(submission.name);
    for (auto const& [id, title] : book.chapters) {
      auto const* chapter = chapter_of(submission, id);
      out += "," + (chapter == nullptr || !submission.error.empty()
                        ? std::string()
                        : std::to_string(chapter->points()));
    }
    int const max = submission.max_points();
    out += fmt::format(",{},{},{:.1f},", submission.error.empty() ? submission.points() : 0, max,
                       max > 0 ? 100.0 * submission.points() / max : 0.0);
    auto notes =
        submission.error.empty() ? reasons_of(submission) : "not graded: " + submission.error;
    for (auto const& flag : review_flags(submission)) {
      notes += (notes.empty() ? "" : "; ") + std::string("flagged: ") +
               (flag.size() > 300 ? flag.substr(0, 297) + "..." : flag);
    }
    out += csv_field(notes);
    out += "\n";
  }
  return out;
}

namespace {

double milliseconds_rounded(double seconds) { return std::round(seconds * 1000) / 1000; }

json time_json(GradingTime const& time) {
  return {{"unpack", milliseconds_rounded(time.unpack)},
          {"compile", milliseconds_rounded(time.compile)},
          {"inspect", milliseconds_rounded(time.inspect)},
          {"link", milliseconds_rounded(time.link)},
          {"run", milliseconds_rounded(time.run)},
          {"other", milliseconds_rounded(time.other)},
          {"total", milliseconds_rounded(time.total())}};
}

}  // namespace

std::string format_json(Gradebook const& book) {
  json submissions = json::array();
  for (auto const& submission : book.submissions) {
    json chapters = json::array();
    for (auto const& chapter : submission.chapters) {
      json exercises = json::array();
      for (auto const& exercise : chapter.exercises) {
        auto entry = to_json(exercise);
        entry["time"] = time_json(exercise.time);  // this run's, so not in the cache's entry
        exercises.push_back(std::move(entry));
      }
      chapters.push_back({{"id", chapter.id},
                          {"slug", chapter.slug},
                          {"title", chapter.title},
                          {"points", chapter.points()},
                          {"max_points", chapter.max_points()},
                          {"exercises", std::move(exercises)}});
    }
    submissions.push_back({{"name", valid_utf8(submission.name)},
                           {"source", valid_utf8(submission.source)},
                           {"error", valid_utf8(submission.error)},
                           {"notes", submission.notes},
                           {"points", submission.points()},
                           {"max_points", submission.max_points()},
                           {"seconds", submission.seconds},
                           {"time", time_json(submission.time)},
                           {"cached", submission.cached()},
                           {"chapters", std::move(chapters)}});
  }
  json root = {{"sandbox", book.sandbox},
               {"limits", book.limits},
               {"build_tree", book.build_tree},
               {"submissions", std::move(submissions)}};
  return root.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

namespace {

// Text as XML character data: markup escaped, and characters XML 1.0 forbids (most control
// characters, which a test's output may hold) replaced.
std::string xml_text(std::string_view text) {
  auto plain = valid_utf8(text);
  for (auto& c : plain) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') c = '?';
  }
  return book::escape_html(plain);  // & < > " : what attributes in double quotes need
}

}  // namespace

std::string format_junit(Gradebook const& book) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"workbook grade\">\n";
  for (auto const& submission : book.submissions) {
    if (!submission.error.empty()) {
      out += fmt::format(
          "  <testsuite name=\"{}\" tests=\"1\" failures=\"0\" errors=\"1\">\n"
          "    <testcase classname=\"{}\" name=\"submission\"><error message=\"{}\"/></testcase>\n"
          "  </testsuite>\n",
          xml_text(submission.name), xml_text(submission.name), xml_text(submission.error));
      continue;
    }
    for (auto const& chapter : submission.chapters) {
      for (auto const& exercise : chapter.exercises) {
        std::size_t failures = 0;
        double seconds = 0;
        for (auto const& test : exercise.tests) {
          failures += test.passed() ? 0 : 1;
          seconds += test.seconds();
        }
        out += fmt::format(
            "  <testsuite name=\"{}/{}/{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" "
            "time=\"{:.3f}\">\n",
            xml_text(submission.name), chapter.id, exercise.exercise, exercise.tests.size(),
            failures, seconds);
        for (auto const& test : exercise.tests) {
          out += fmt::format("    <testcase classname=\"{}.{}.{}\" name=\"{}\" time=\"{:.3f}\"",
                             xml_text(submission.name), chapter.id, exercise.exercise,
                             xml_text(test.name), test.seconds());
          if (test.passed()) {
            out += "/>\n";
            continue;
          }
          out += fmt::format(">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n",
                             xml_text(reason_word(test)),
                             xml_text(wb::testing::message_with_location(test)),
                             xml_text(test.output));
          out += "    </testcase>\n";
        }
        out += "  </testsuite>\n";
      }
    }
  }
  out += "</testsuites>\n";
  return out;
}

namespace {

std::string test_report(GradedExercise const& exercise, GradedTest const& test) {
  std::string text;
  if (!test.passed()) {
    text = fmt::format("{}: {}", reason_word(test), wb::testing::message_with_location(test));
    // the message of a compile error holds it already (cut to max_test_message_bytes)
    if (!exercise.compile_error.empty() && test.reason != wb::testing::Reason::compile_error) {
      text += "\n" + cap_text(exercise.compile_error, max_test_message_bytes);
    }
  }
  if (!test.output.empty()) {
    if (!text.empty()) text += "\n\n";
    text += "Output:\n" + test.output;
  }
  return valid_utf8(text);
}

}  // namespace

std::string format_gradescope(Gradebook const& book, SubmissionGrade const& submission) {
  json tests = json::array();
  for (auto const& chapter : submission.chapters) {
    for (auto const& exercise : chapter.exercises) {
      for (auto const& test : exercise.tests) {
        tests.push_back({{"name", fmt::format("{} {}: {}", chapter.id, exercise.title, test.name)},
                         {"score", test.points},
                         {"max_score", test.max_points},
                         {"status", test.passed() ? "passed" : "failed"},
                         {"output", test_report(exercise, test)},
                         {"visibility", "visible"}});
      }
    }
  }
  std::string output;
  if (!submission.error.empty())
    output = "This submission could not be graded: " + submission.error;
  for (auto const& note : submission.notes) output += (output.empty() ? "" : "\n") + note;
  json root = {{"score", submission.error.empty() ? submission.points() : 0},
               {"max_score", submission.max_points()},
               {"output", valid_utf8(output)},
               {"visibility", "visible"},
               {"stdout_visibility", "hidden"},
               {"execution_time", static_cast<int>(submission.seconds)},
               {"tests", std::move(tests)}};
  (void)book;
  return root.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string format_exercism(SubmissionGrade const& submission, TestCodeLookup const& test_code) {
  json root = {{"version", 3}};
  if (!submission.error.empty()) {
    root["status"] = "error";
    root["message"] =
        cap_text(valid_utf8("The submission could not be graded: " + submission.error),
                 max_exercism_message_bytes);
    root["tests"] = json::array();
    return root.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  }
  json tests = json::array();
  bool all_pass = true;
  std::string compile_errors;
  int task = 0;
  for (auto const& chapter : submission.chapters) {
    for (auto const& exercise : chapter.exercises) {
      ++task;
      if (!exercise.compile_error.empty()) compile_errors += exercise.compile_error + "\n";
      for (auto const& test : exercise.tests) {
        all_pass = all_pass && test.passed();
        json entry = {{"name", test.name},
                      {"status", test.passed() ? "pass" : "fail"},
                      {"test_code", test_code(chapter.slug, exercise.exercise, test.name)},
                      {"task_id", task}};
        if (!test.passed()) {
          entry["message"] = valid_utf8(wb::testing::message_with_location(test));
        }
        // Exercism shows at most 500 characters of a test's output.
        if (!test.output.empty()) entry["output"] = valid_utf8(cut_output(test.output, 440));
        tests.push_back(std::move(entry));
      }
    }
  }
  bool const nothing_compiled = std::all_of(
      submission.chapters.begin(), submission.chapters.end(), [](GradedChapter const& chapter) {
        return std::all_of(chapter.exercises.begin(), chapter.exercises.end(),
                           [](GradedExercise const& e) { return !e.compiled; });
      });
  if (nothing_compiled && !compile_errors.empty()) {
    root["status"] = "error";
    root["message"] = cap_text(valid_utf8(compile_errors), max_exercism_message_bytes);
  } else {
    root["status"] = all_pass ? "pass" : "fail";
  }
  root["tests"] = std::move(tests);
  return root.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string test_case_source(std::string_view file_text, std::string_view name) {
  auto const quoted = fmt::format("\"{}\"", name);
  for (auto at = file_text.find("TEST_CASE("); at != std::string_view::npos;
       at = file_text.find("TEST_CASE(", at + 1)) {
    auto const line_end = file_text.find('\n', at);
    auto const head =
        file_text.substr(at, line_end == std::string_view::npos ? line_end : line_end - at);
    if (!contains(head, quoted)) continue;
    auto open = file_text.find('{', at);
    if (open == std::string_view::npos) return {};
    int depth = 0;
    for (auto i = open; i < file_text.size(); ++i) {
      if (file_text[i] == '{') ++depth;
      if (file_text[i] == '}' && --depth == 0) return std::string(file_text.substr(at, i + 1 - at));
    }
    return std::string(file_text.substr(at));
  }
  return {};
}

}  // namespace wb::grade
