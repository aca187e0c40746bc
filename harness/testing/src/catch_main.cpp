// The Catch2 main shared by every test program, compiled once. It adds the "wb" reporter, which
// the workbook's runner reads, and turns the runtime's exceptions into readable messages.
#if defined(WB_CATCH2_V3)
#include <catch2/catch_test_case_info.hpp>
#include <catch2/catch_translate_exception.hpp>
#include <catch2/reporters/catch_reporter_registrars.hpp>
#include <catch2/reporters/catch_reporter_streaming_base.hpp>
#else
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#endif

#include <cstdio>
#include <filesystem>
#include <string>

#include "wb/core/contract.hpp"
#include "wb/testing/result_line.hpp"

CATCH_TRANSLATE_EXCEPTION(wb::NotStarted const& e) {
  return wb::testing::not_started_prefix + std::string(e.what()) + " (" +
         std::filesystem::path(e.file()).filename().string() + ":" + std::to_string(e.line()) + ")";
}

CATCH_TRANSLATE_EXCEPTION(wb::ContractViolation const& e) { return e.what(); }

namespace {

// What a test prints reaches the runner line by line, in step with the reporter's lines, even
// when stdout is a pipe: stdio would otherwise hold it back until its buffer fills, and lose it
// when a hanging test is killed.
[[maybe_unused]] bool const stdout_line_buffered =
    std::setvbuf(stdout, nullptr, _IOLBF, BUFSIZ) == 0;

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
  static std::string getDescription() { return "One line per test for the workbook runner"; }
  void assertionStarting(Catch::AssertionInfo const&) override {}
#endif

  void testCaseStarting(Catch::TestCaseInfo const& info) override {
    StreamingReporterBase::testCaseStarting(info);
    failure_.clear();
    status_ = wb::testing::Status::pass;
    out() << wb::testing::format_start(info.name) << std::endl;
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
    if (status_ == wb::testing::Status::pass && !stats.totals.assertions.allOk()) {
      status_ = wb::testing::Status::fail;
    }
    out() << wb::testing::format_end({name, status_, failure_}) << std::endl;
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
    if (result.isOk() || status_ != wb::testing::Status::pass) return;  // keep the first failure
    std::string message;
    for (auto const& info : stats.infoMessages) {
      if (info.type == Catch::ResultWas::Info) message += info.message + "\n";
    }
    if (result.hasMessage()) {
      message += result.getMessage();
    }
    if (result.hasExpression()) {
      if (result.hasMessage()) message += "\n";
      message += result.getExpressionInMacro();
      if (result.hasExpandedExpression()) message += "  with values: " + result.getExpandedExpression();
    }
    bool const not_started =
        result.getResultType() == Catch::ResultWas::ThrewException &&
        result.getMessage().rfind(wb::testing::not_started_prefix, 0) == 0;
    status_ = not_started ? wb::testing::Status::not_started : wb::testing::Status::fail;
    if (not_started) message = result.getMessage().substr(wb::testing::not_started_prefix.size());
    failure_ = message;
  }

  wb::testing::Status status_ = wb::testing::Status::pass;
  std::string failure_;
};

}  // namespace

CATCH_REGISTER_REPORTER("wb", WbReporter)
