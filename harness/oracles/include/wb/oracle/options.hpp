// wb::oracle::Options and Outcome — what every oracle executor takes and gives back.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace wb::oracle {

struct Options {
  /// How long to wait for a wake-up after Pending before declaring that the future would hang.
  std::chrono::milliseconds deadline{2000};
  /// After a wake of an outdated waker, how long the newest one still has to be woken.
  std::chrono::milliseconds stale_grace{150};
  /// Polls after which a future that is still Pending is declared never to finish.
  std::size_t max_polls = 1'000'000;
  /// When set, the future must be Ready on exactly this poll (spurious polls not counted).
  std::optional<std::size_t> expected_polls;
  /// Why that count is right, in words, added to the verdict: "Pending 3 times, then Ready".
  std::string expected_polls_because;
  /// A single poll slower than this blocked the executor thread.
  std::chrono::milliseconds max_poll_time{250};
  /// A poll still running after this long is stuck: the process reports it and ends.
  std::chrono::milliseconds stuck_poll_limit{3000};
  /// re-entrant-wake oracle: how long a wake() waits for the poll it runs before deciding that
  /// the poll cannot finish while wake() is running (the future woke while holding a lock).
  std::chrono::milliseconds wake_poll_limit{1000};
  /// Record the poll/wake timeline into a verdict even when the program was not run with
  /// WB_TRACE (as `check --trace` runs it): for tests of the trace itself.
  bool trace = false;
};

/// What a run produced: the output and how the future was driven there.
template <class T>
struct Outcome {
  T value;
  std::size_t polls = 0;           // polls made because the future was new or woken
  std::size_t spurious_polls = 0;  // polls the oracle added though nobody woke the future
  std::size_t wakes = 0;           // calls to any waker handed to the future
};

template <>
struct Outcome<void> {
  std::size_t polls = 0;
  std::size_t spurious_polls = 0;
  std::size_t wakes = 0;
};

}  // namespace wb::oracle
