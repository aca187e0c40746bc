// The Catch2 main shared by every test program, compiled once. It adds the "wb" reporter, which
// the workbook's runner reads, and turns the runtime's exceptions into readable messages.
#if defined(WB_CATCH2_V3)
#include <catch2/catch_session.hpp>
#include <catch2/catch_test_case_info.hpp>
#include <catch2/catch_translate_exception.hpp>
#include <catch2/reporters/catch_reporter_registrars.hpp>
#include <catch2/reporters/catch_reporter_streaming_base.hpp>
#else
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#endif

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>

#include "wb/core/contract.hpp"
#include "wb/testing/result_line.hpp"
#include "wb/testing/result_signature.hpp"

namespace {

// The facts of the last runtime exception Catch2 turned into a message. Catch2 (v2 and v3) hands
// its reporters only the message, so the translators below leave the verdict's fields here, and
// the reporter takes them for the failure whose message is the same text.
struct TranslatedException {
  std::string message;  // what the translator returned
  wb::testing::Reason reason = wb::testing::Reason::exception;
  std::string oracle;
  std::string location;
  std::string what;   // the exception's own words
  std::string trace;  // an oracle's timeline under check --trace
  std::string trace_diagram;
};

std::optional<TranslatedException>& last_translated() {
  thread_local std::optional<TranslatedException> translated;
  return translated;
}

std::string remember(TranslatedException translated) {
  auto message = translated.message;
  last_translated() = std::move(translated);
  return message;
}

}  // namespace

CATCH_TRANSLATE_EXCEPTION(wb::NotStarted const& e) {
  auto const location =
      std::filesystem::path(e.file()).filename().string() + ":" + std::to_string(e.line());
  return remember({wb::testing::not_started_prefix + std::string(e.what()) + " (" + location + ")",
                   wb::testing::Reason::not_started,
                   {},
                   location,
                   e.what(),
                   {},
                   {}});
}

CATCH_TRANSLATE_EXCEPTION(wb::ContractViolation const& e) {
  return remember({e.what(),
                   wb::testing::Reason::contract,
                   e.oracle(),
                   {},
                   e.what(),
                   e.trace(),
                   e.trace_diagram()});
}

namespace {

// What a test prints reaches the runner line by line, in step with the reporter's lines, even
// when stdout is a pipe: stdio would otherwise hold it back until its buffer fills, and lose it
// when a hanging test is killed.
[[maybe_unused]] bool const stdout_line_buffered =
    std::setvbuf(stdout, nullptr, _IOLBF, BUFSIZ) == 0;

// When `workbook grade` runs the program it passes a secret key through a pipe (see
// result_signature.hpp) and credits only lines signed with it. The key is read from .preinit_array,
// which runs before every constructor and static initialiser, and `grade` links this object
// ahead of the learner's, so it also runs before any .preinit_array entry of theirs; the pipe is
// closed at once, and the key is kept where no name outside this file reaches it. It is still in
// the program's memory, which the learner's code shares: `grade` inspects what was compiled for
// code that goes looking for it (see harness/grade/include/wb/grade/inspection.hpp), and links
// the framework's objects (signing included) as objects, so a submission cannot put its own
// functions in their place.
struct ResultSigning {
  bool requested = false;
  std::optional<wb::testing::ResultKey> key;
  std::uint64_t sequence = 0;
};

ResultSigning& result_signing() {
  static ResultSigning signing;
  return signing;
}

// The environment comes as an argument: this early, the C library's getenv() has none yet.
void read_result_key(int, char**, char** environment) {
  std::string_view const variable = wb::testing::result_key_fd_variable;
  char const* fd_text = nullptr;
  for (char** entry = environment; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view const text = *entry;
    if (text.starts_with(variable) && text.size() > variable.size() &&
        text[variable.size()] == '=') {
      fd_text = *entry + variable.size() + 1;
    }
  }
  if (fd_text == nullptr) return;
  auto& signing = result_signing();
  signing.requested = true;
  int const fd = std::atoi(fd_text);
  if (fd < 0) return;
  char buffer[32];
  std::size_t got = 0;
  while (got < sizeof buffer) {
    auto const n = ::read(fd, buffer + got, sizeof buffer - got);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  signing.key = wb::testing::ResultKey::from_hex(std::string_view(buffer, got));
  ::explicit_bzero(buffer, sizeof buffer);
}

[[gnu::section(".preinit_array"),
  gnu::used]] void (*const result_key_reader)(int, char**, char**) = read_result_key;

// A reporter line, signed when the runner asked for signatures. Without a key (someone took it
// first) the line gets a tag no key produces, and earns nothing.
std::string reporter_line(std::string const& line) {
  auto& signing = result_signing();
  if (!signing.requested) return line;
  if (!signing.key) return line + "\t#no-key";
  return wb::testing::sign_line(*signing.key, signing.sequence++, line);
}

// Writes one line when a test starts and one when it ends (see result_line.hpp), flushed at
// once, so that a runner reading the stream knows which test was running if the process dies.
class WbReporter : public Catch::StreamingReporterBase
#if !defined(WB_CATCH2_V3)
                   <WbReporter>
#endif
{
 public:
#if defined(WB_CATCH2_V3)
  explicit WbReporter(Catch::ReporterConfig&& config) : StreamingReporterBase(std::move(config)) {}
#else
  explicit WbReporter(Catch::ReporterConfig const& config) : StreamingReporterBase(config) {}
  void assertionStarting(Catch::AssertionInfo const&) override {}
#endif
  static std::string getDescription() { return "One line per test for the workbook runner"; }

  void testCaseStarting(Catch::TestCaseInfo const& info) override {
    StreamingReporterBase::testCaseStarting(info);
    verdict_ = {};
    verdict_.name = info.name;
    last_translated().reset();
    out() << reporter_line(wb::testing::format_start(info.name)) << std::endl;
  }

#if defined(WB_CATCH2_V3)
  void assertionEnded(Catch::AssertionStats const& stats) override { record(stats); }
#else
  bool assertionEnded(Catch::AssertionStats const& stats) override {
    record(stats);
    return true;
  }
#endif

  void testCaseEnded(Catch::TestCaseStats const& stats) override {
#if defined(WB_CATCH2_V3)
    auto const& name = stats.testInfo->name;
#else
    auto const& name = stats.testInfo.name;
#endif
    verdict_.name = name;
    if (verdict_.passed() && !stats.totals.assertions.allOk()) {
      verdict_.status = wb::testing::Status::fail;
      verdict_.reason = wb::testing::Reason::assertion;
    }
    out() << reporter_line(wb::testing::format_end(verdict_)) << std::endl;
    StreamingReporterBase::testCaseEnded(stats);
  }

 private:
#if defined(WB_CATCH2_V3)
  std::ostream& out() { return m_stream; }
#else
  std::ostream& out() { return stream; }
#endif

  void record(Catch::AssertionStats const& stats) {
    auto const& result = stats.assertionResult;
    if (result.isOk() || !verdict_.passed()) return;  // keep the first failure
    std::string message;
    for (auto const& info : stats.infoMessages) {
      if (info.type == Catch::ResultWas::Info) message += info.message + "\n";
    }
    // Catch2 v3 gives the message as a StringRef, v2 as a std::string.
    std::string const result_message(result.getMessage());
    if (result.hasMessage()) {
      message += result_message;
    }
    if (result.hasExpression()) {
      if (result.hasMessage()) message += "\n";
      message += result.getExpressionInMacro();
      if (result.hasExpandedExpression())
        message += "  with values: " + result.getExpandedExpression();
    }
    verdict_.status = wb::testing::Status::fail;
    verdict_.reason = wb::testing::Reason::assertion;
    verdict_.message = message;
    switch (result.getResultType()) {
      case Catch::ResultWas::ThrewException: {
        verdict_.reason = wb::testing::Reason::exception;
        auto& translated = last_translated();
        if (translated && translated->message == result_message) {
          verdict_.reason = translated->reason;
          verdict_.oracle = std::move(translated->oracle);
          verdict_.location = std::move(translated->location);
          verdict_.trace = std::move(translated->trace);
          verdict_.trace_diagram = std::move(translated->trace_diagram);
          if (verdict_.reason == wb::testing::Reason::not_started) {
            // the WB_TODO's own words; the location travels as a field
            verdict_.status = wb::testing::Status::not_started;
            verdict_.message = std::move(translated->what);
          }
        }
        translated.reset();
        break;
      }
      case Catch::ResultWas::FatalErrorCondition:
        verdict_.reason = wb::testing::Reason::crashed;
        break;
      default:
        break;
    }
  }

  wb::testing::Verdict verdict_;
};

}  // namespace

CATCH_REGISTER_REPORTER("wb", WbReporter)

#if defined(WB_CATCH2_V3)
// Here rather than from Catch2::Catch2WithMain: main() is what pulls this object, and with it the
// reporter's registration, out of the library into every test program (as v2's macro main does).
int main(int argc, char* argv[]) { return Catch::Session().run(argc, argv); }
#endif
