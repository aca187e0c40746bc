// wb::oracle::PollTrace — the timeline of one oracle's run, for `workbook check --trace`: every
// poll with its number, the waker it was given and its answer, and every wake with the waker's
// number, the thread it came from and whether it still counted. Recorded only when the test
// program runs with WB_TRACE set; an oracle's verdict then carries it in fields of its own, as
// text and as a Mermaid sequence diagram (see wb::ContractViolation::trace).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace wb::oracle {

class PollTrace {
 public:
  /// Whether this program was asked for traces (WB_TRACE set to anything but "0" or "").
  static bool requested();

  PollTrace();

  void poll_started(std::size_t number, std::uint64_t waker, bool spurious);
  void poll_ended(std::size_t number, bool ready);
  /// A wake of waker `waker` while `newest` is the one that counts.
  void woke(std::uint64_t waker, std::uint64_t newest, bool after_ready);

  /// "trace (parking oracle): …" — a line per event, the first and last ones when there are many.
  std::string text(std::string_view oracle) const;
  /// The same as a Mermaid sequence diagram.
  std::string mermaid(std::string_view oracle) const;

 private:
  enum class Kind { poll, answer, wake };
  struct Event {
    double ms;
    Kind kind;
    std::size_t poll;         // poll and answer
    std::uint64_t waker;      // poll: the waker given; wake: the waker woken
    std::uint64_t newest;     // wake: the waker that counted then
    bool flag;                // poll: spurious; answer: Ready; wake: after Ready
    std::size_t thread;       // 0: the oracle's own thread
    std::size_t during_poll;  // wake: the poll running then, 0 if none
  };
  std::size_t thread_number(std::thread::id id);  // with mutex_ held
  std::vector<Event const*> shown() const;        // with mutex_ held

  mutable std::mutex mutex_;
  std::chrono::steady_clock::time_point start_;
  std::vector<std::thread::id> threads_;
  std::vector<Event> events_;
  std::size_t running_ = 0;  // the poll in progress
  std::size_t dropped_ = 0;  // events past the limit, not kept
};

}  // namespace wb::oracle
