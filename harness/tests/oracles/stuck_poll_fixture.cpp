// A program whose only future loops forever inside poll(): the watchdog must end it.
#include <atomic>

#include "wb/oracle/oracles.hpp"

namespace {
struct SpinsInPoll {
  using Output = int;
  wb::Poll<int> poll(wb::Context&) {
    std::atomic<bool> never{false};
    while (!never.load()) {
    }
    return 0;
  }
};
}  // namespace

int main() {
  wb::oracle::Options options;
  options.stuck_poll_limit = std::chrono::milliseconds(200);
  wb::oracle::parking(SpinsInPoll{}, options);
  return 0;
}
