// A program whose only future loops forever inside poll(): the watchdog must end it.
#include "wb/oracle/oracles.hpp"

namespace {
struct SpinsInPoll {
  using Output = int;
  wb::Poll<int> poll(wb::Context&) {
    // A volatile read each turn: a loop without an observable effect may be assumed to end
    // ([intro.progress]), and clang at -O1 compiles this one into a trap.
    volatile bool never = false;
    while (!never) {
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
