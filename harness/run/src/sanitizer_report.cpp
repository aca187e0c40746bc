#include "wb/run/sanitizer_report.hpp"

#include <fmt/core.h>

#include <array>
#include <cctype>
#include <filesystem>
#include <vector>

#include "wb/text/text.hpp"

namespace wb::run {
using namespace wb::text;

namespace {

struct Frame {
  std::string function;
  std::string file;  // empty when only the binary is known
  std::string line;
};

// AddressSanitizer:  "    #9 0x55… in CountdownFuture::poll(wb::Context&) /path/countdown.hpp:19"
//                    "    #9 0x55… in CountdownFuture::poll(wb::Context&) (/path/binary+0x65bd5a)"
// ThreadSanitizer:   "    #0 Counter::poll() /path/race.hpp:2 (race+0x1902)"
//   with clang:      "    #0 Counter::poll() /path/race.hpp:2:9 (race+0x1902) (BuildId: 5f2a…)"
std::optional<Frame> parse_frame(std::string_view line) {
  auto text = trim(line);
  if (text.size() < 2 || text[0] != '#' || text[1] < '0' || text[1] > '9') return std::nullopt;
  Frame frame;
  auto space = text.find(' ');
  if (space == std::string_view::npos) return frame;
  auto rest = trim(text.substr(space + 1));
  if (rest.starts_with("0x")) {  // an address, then " in function …" when it is known
    auto in = rest.find(" in ");
    if (in == std::string_view::npos) return frame;
    rest = rest.substr(in + 4);
  }
  // "(module+0x…)" and clang's "(BuildId: …)" at the end say only which binary
  while (rest.ends_with(")")) {
    auto open = rest.rfind(" (");
    if (open == std::string_view::npos) break;
    auto const group = rest.substr(open + 1);
    if (!contains(group, "+0x") && !group.starts_with("(BuildId:")) break;
    rest = trim(rest.substr(0, open));
  }
  // "… /path/file.hpp:19[:5]" at the end
  if (auto last = rest.rfind(' '); last != std::string_view::npos) {
    auto location = rest.substr(last + 1);
    if ((location.starts_with("/") || location.starts_with(".")) && contains(location, ":")) {
      auto first_colon = location.find(':');
      frame.file = std::string(location.substr(0, first_colon));
      auto after = location.substr(first_colon + 1);
      frame.line = std::string(after.substr(0, after.find(':')));
      rest = trim(rest.substr(0, last));
    }
  }
  frame.function = std::string(rest);
  for (std::string_view tag : {"[abi:cxx11]"}) {
    for (auto at = frame.function.find(tag); at != std::string::npos;
         at = frame.function.find(tag)) {
      frame.function.erase(at, tag.size());
    }
  }
  return frame;
}

bool in_chapter_files(Frame const& frame) {
  return !frame.file.empty() &&
         (contains(frame.file, "/chapters/") || contains(frame.file, "/solutions/") ||
          contains(frame.file, "/mutants/"));
}

// The learner's exercise files, not the chapter's tests (which call into them).
bool in_learner_code(Frame const& frame) {
  return in_chapter_files(frame) && !frame.file.ends_with("_test.cpp");
}

bool in_library(Frame const& frame) {
  static constexpr std::array<std::string_view, 12> prefixes = {
      "std::",      "wb::",      "Catch::",    "__",       "operator new", "operator delete",
      "void std::", "auto wb::", "auto std::", "decltype", "void wb::",    "C_A_T_C_H"};
  for (auto prefix : prefixes) {
    if (frame.function.starts_with(prefix)) return true;
  }
  if (frame.file.starts_with("/usr/")) return true;
  for (std::string_view name : {"main", "_start", "execute", "start_thread", "clone", "clone3",
                                "<null>", "pthread_create"}) {
    if (frame.function == name) return true;
  }
  return frame.function.empty() || frame.function.starts_with("0x") ||
         contains(frame.function, "Catch::") || contains(frame.function, "libstdc++") ||
         contains(frame.function, "libc.so");
}

std::string describe(Frame const& frame) {
  if (frame.file.empty()) return frame.function;
  return fmt::format("{} ({}:{})", frame.function,
                     std::filesystem::path(frame.file).filename().string(), frame.line);
}

std::string explain(std::string_view kind) {
  struct Known {
    std::string_view kind;
    std::string_view words;
  };
  static constexpr Known known[] = {
      {"heap-use-after-free", "memory used after it was freed"},
      {"stack-use-after-return", "a local variable used after its function returned"},
      {"stack-use-after-scope", "a local variable used after its scope ended"},
      {"heap-buffer-overflow", "a read or write past the end of a heap block"},
      {"stack-buffer-overflow", "a read or write past the end of a local array"},
      {"stack-buffer-underflow", "a read or write before the start of a local array"},
      {"global-buffer-overflow", "a read or write past the end of a global array"},
      {"SEGV", "a bad pointer (null or dangling) was followed"},
      {"signal-unsafe call inside of a signal",
       "the program crashed (most likely a bad pointer was followed) and then called, inside the "
       "crash's signal handler, what a signal handler must not"},
      {"attempting double-free", "memory freed twice"},
      {"double-free", "memory freed twice"},
      {"use-after-poison", "memory used after it was released"},
      {"new-delete-type-mismatch", "memory freed as a different type than it was made"},
      {"alloc-dealloc-mismatch", "new/delete or malloc/free mixed up"},
      {"data race",
       "two threads touch the same memory, at least one writing, without a lock or atomic"},
      {"heap-use-after-free (virtual call vs free)", "a destroyed object used"},
      {"detected memory leaks", "memory allocated and never freed"},
  };
  for (auto const& entry : known) {
    if (kind == entry.kind) return std::string(entry.words);
  }
  return {};
}

// The frame to name: the first in the learner's files, else the first outside the libraries
// (a function of theirs whose file the symbolizer did not give), else the first in a test.
std::string learner_frame(std::vector<std::string> const& lines, std::size_t from) {
  std::optional<Frame> outside_libraries;
  std::optional<Frame> in_test;
  for (std::size_t i = from; i < lines.size(); ++i) {
    auto frame = parse_frame(lines[i]);
    if (!frame) {
      if (i > from + 1 && !trim(lines[i]).empty()) break;  // the first stack only
      continue;
    }
    if (in_learner_code(*frame)) return describe(*frame);
    if (!in_test && in_chapter_files(*frame)) in_test = frame;
    if (!outside_libraries && !in_library(*frame)) outside_libraries = frame;
  }
  if (outside_libraries) return describe(*outside_libraries);
  return in_test ? describe(*in_test) : std::string();
}

// "member call on address 0x55972d685180 which does not point to …": the address means nothing
// to a learner, and differs at every run.
std::string strip_addresses(std::string_view message) {
  std::string out;
  for (std::size_t i = 0; i < message.size();) {
    if (message.substr(i).starts_with("address 0x")) {
      std::size_t end = i + 10;
      while (end < message.size() && std::isxdigit(static_cast<unsigned char>(message[end]))) {
        ++end;
      }
      out += "an address";
      i = end;
      continue;
    }
    out += message[i++];
  }
  return out;
}

// A memory error inside a lambda's operator() that runs as a task: almost always a coroutine
// lambda called as a temporary, whose captures died at the end of the statement that spawned it.
void add_likely_cause(SanitizerReport& report) {
  bool const memory_error = report.kind == "runtime error" || contains(report.kind, "use-after") ||
                            contains(report.kind, "overflow") ||
                            contains(report.kind, "underflow") || report.kind == "SEGV" ||
                            contains(report.kind, "signal");  // a crash, as ThreadSanitizer sees it
  // GCC names the frame "operator()" or "…::{lambda()#1}::operator()", clang "…::'lambda'()::…".
  bool const in_lambda = report.where.starts_with("operator()") ||
                         contains(report.where, "'lambda'") || contains(report.where, "{lambda") ||
                         contains(report.where, "<lambda");
  if (!memory_error || !in_lambda) return;
  report.likely_cause =
      "a lambda that is a coroutine keeps its captures in the lambda object, not in its frame: "
      "spawned as a temporary (wb::spawn([x]() -> wb::Task<T> { … }())), it is destroyed at the "
      "end of that statement and the task reads dead captures when it runs. Pass what the task "
      "needs as parameters of a coroutine function (or of the lambda), which live in the frame";
}

// One side of a data race: "  Read of size 1 at 0x… by main thread:" or "  Previous write of
// size 1 at 0x… by thread T1 (mutexes: write M41):", and the learner's frame under it.
struct Access {
  std::string what;  // "read", "write", "atomic read" …
  bool locked = false;
  std::string where;
};

std::optional<Access> parse_access(std::vector<std::string> const& lines, std::size_t at) {
  auto text = trim(lines[at]);
  if (text.starts_with("Previous ")) text = text.substr(9);
  auto const of_size = text.find(" of size ");
  if (of_size == std::string_view::npos || !contains(text, " by ")) return std::nullopt;
  Access access;
  for (char c : text.substr(0, of_size)) {
    access.what += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  access.locked = contains(text, "(mutexes:");
  access.where = learner_frame(lines, at + 1);
  return access;
}

// "a read in poll (flag.hpp:36) on one thread and a write in set (flag.hpp:18) on another, which
// held a lock the read did not take": what a learner needs to find both lines.
void describe_accesses(std::vector<std::string> const& lines, std::size_t from,
                       SanitizerReport& report) {
  std::vector<Access> accesses;
  for (std::size_t i = from; i < lines.size() && accesses.size() < 2; ++i) {
    if (lines[i].starts_with("SUMMARY") || lines[i].starts_with("=================")) break;
    if (auto access = parse_access(lines, i)) accesses.push_back(std::move(*access));
  }
  if (accesses.size() < 2) return;
  auto const& [first, second] = std::pair<Access const&, Access const&>(accesses[0], accesses[1]);
  auto side = [](Access const& access) {
    return access.where.empty() ? fmt::format("a {}", access.what)
                                : fmt::format("a {} in {}", access.what, access.where);
  };
  report.accesses = fmt::format("{} on one thread and {} on another", side(first), side(second));
  if (first.locked != second.locked) {
    auto const& with = first.locked ? first : second;
    auto const& without = first.locked ? second : first;
    report.accesses += fmt::format("; the {} held a lock, the {} held none, so nothing orders them",
                                   with.what, without.what);
    report.likely_cause = fmt::format(
        "a field shared between threads read or written outside the lock that guards it (a "
        "\"quick look\" before locking is one): take the same lock around the {} too, or make "
        "the field a std::atomic",
        without.what);
  } else if (!first.locked) {
    report.accesses += ", neither holding a lock";
  }
}

}  // namespace

std::string SanitizerReport::summary() const {
  std::string text;
  if (kind == "runtime error") {
    text = fmt::format("undefined behaviour: {}", explanation);
  } else if (tool == "LeakSanitizer") {
    text = "LeakSanitizer found memory allocated and never freed";
  } else {
    text = fmt::format("{} found a {}", tool, kind);
    if (!explanation.empty()) text += fmt::format(" ({})", explanation);
  }
  if (!accesses.empty()) {
    text += fmt::format(": {}", accesses);
  } else if (!where.empty()) {
    text += fmt::format(" in {}", where);
  }
  if (!likely_cause.empty()) text += fmt::format(". Likely cause: {}", likely_cause);
  return text;
}

std::optional<SanitizerReport> find_sanitizer_report(std::string_view output) {
  auto const lines = split_lines(output);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto const& line = lines[i];
    if (auto at = line.find(": runtime error: "); at != std::string::npos) {
      SanitizerReport report{
          "UndefinedBehaviorSanitizer", "runtime error", line.substr(at + 17), {}, {}, {}};
      // With print_stacktrace=1 a stack follows: name the learner's frame in it. Without one,
      // the line's own "/path/countdown.hpp:19:88".
      // Notes and a dump of the object may come between the message and the stack.
      for (std::size_t j = i + 1; j < lines.size() && j < i + 40; ++j) {
        if (trim(lines[j]).starts_with("#0 ")) {
          report.where = learner_frame(lines, j);
          break;
        }
        if (contains(lines[j], ": runtime error: ")) break;  // the next report
      }
      auto location = std::string_view(line).substr(0, at);
      auto colon = location.find(':');
      if (report.where.empty() && colon != std::string_view::npos) {
        auto file = std::filesystem::path(std::string(location.substr(0, colon))).filename();
        auto after = location.substr(colon + 1);
        report.where = fmt::format("{}:{}", file.string(), after.substr(0, after.find(':')));
      }
      report.explanation = strip_addresses(report.explanation);
      add_likely_cause(report);
      return report;
    }
    for (std::string_view tool : {"AddressSanitizer", "ThreadSanitizer", "LeakSanitizer"}) {
      auto const heading = fmt::format("{}: ", tool);
      auto at = line.find(heading);
      if (at == std::string::npos || line.starts_with("SUMMARY")) continue;
      if (!contains(line, "ERROR: ") && !contains(line, "WARNING: ")) continue;
      auto kind = std::string_view(line).substr(at + heading.size());
      for (std::string_view end : {" on address", " on unknown address", " (pid=", " in thread"}) {
        if (auto cut = kind.find(end); cut != std::string_view::npos) kind = kind.substr(0, cut);
      }
      SanitizerReport report{std::string(tool), std::string(trim(kind)), {}, {}, {}, {}};
      report.explanation = explain(report.kind);
      report.where = learner_frame(lines, i + 1);
      add_likely_cause(report);
      if (report.kind == "data race") describe_accesses(lines, i + 1, report);
      return report;
    }
  }
  return std::nullopt;
}

std::string condense_sanitizer_output(std::string_view output) {
  std::string out;
  bool in_report = false;
  bool summary_seen = false;
  bool in_shadow_map = false;
  std::size_t frames_kept = 0;
  for (auto const& line : split_lines(output)) {
    bool const starts_report =
        (line.starts_with("==") && (contains(line, "ERROR: ") || contains(line, "WARNING: "))) ||
        line.starts_with("WARNING: ThreadSanitizer:");
    if (starts_report) {
      in_report = true;
      summary_seen = false;
      in_shadow_map = false;
      frames_kept = 0;
    }
    bool const rule = line.starts_with("=================");
    if (!in_report) {
      if (!rule) out += line + "\n";  // the rule above a report
      continue;
    }
    // ASan ends with "==PID==ABORTING", ThreadSanitizer with a rule after its summary.
    if (contains(line, "ABORTING") || (rule && summary_seen)) {
      in_report = false;
      continue;
    }
    if (line.starts_with("SUMMARY: ")) {
      summary_seen = true;  // the one-line summary is in the failure message already
      continue;
    }
    if (line.starts_with("Shadow bytes around") || line.starts_with("Shadow byte legend")) {
      in_shadow_map = true;
    }
    if (in_shadow_map || rule || trim(line).empty()) continue;
    if (auto frame = parse_frame(line)) {
      if (!in_library(*frame) && frames_kept < 3) {  // the innermost frames of their code
        out += fmt::format("    in {}\n", describe(*frame));
        ++frames_kept;
      }
      continue;
    }
    frames_kept = 0;  // a new stack ("freed by thread T0 here:") begins after this line
    if (line.starts_with("0x") && !contains(line, "is located")) continue;
    out += line + "\n";
  }
  return out;
}

}  // namespace wb::run
