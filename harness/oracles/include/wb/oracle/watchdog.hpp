// wb::oracle::Watchdog — ends the process with a verdict when one poll never returns, because
// a stuck thread cannot be unwound. The verdict goes to the file named by $WB_VERDICT_FILE
// (the workbook's runner reads it) and to stderr. In the file, a first line "oracle=<name>" names
// the oracle whose poll it was, so the runner need not look for it in the sentence.
#pragma once

#include <chrono>
#include <string>

namespace wb::oracle {

class Watchdog {
 public:
  /// Start timing a poll; if disarm() does not come within `limit`, report `verdict` and exit.
  static void arm(std::chrono::milliseconds limit, std::string verdict);
  /// The same, for a poll that `oracle` ("spin oracle (blocking watchdog)") drives.
  static void arm(std::chrono::milliseconds limit, std::string oracle, std::string verdict);
  static void disarm();

  /// Exit code of a process the watchdog ended.
  static constexpr int exit_code = 86;
};

/// RAII: arms the watchdog for the scope of one poll.
class WatchdogScope {
 public:
  WatchdogScope(std::chrono::milliseconds limit, std::string verdict) {
    Watchdog::arm(limit, std::move(verdict));
  }
  WatchdogScope(std::chrono::milliseconds limit, std::string oracle, std::string verdict) {
    Watchdog::arm(limit, std::move(oracle), std::move(verdict));
  }
  ~WatchdogScope() { Watchdog::disarm(); }
  WatchdogScope(WatchdogScope const&) = delete;
  WatchdogScope& operator=(WatchdogScope const&) = delete;
};

}  // namespace wb::oracle
