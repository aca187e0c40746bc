// wb::oracle::WakeLog — the oracles' record of which waker was woken, when, and from where.
// Each poll may get a waker of a new generation; only a wake of the newest one counts.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

#include "wb/core/waker.hpp"
#include "wb/oracle/poll_trace.hpp"

namespace wb::oracle {

class WakeLog : public std::enable_shared_from_this<WakeLog> {
 public:
  /// A waker of generation `generation`; wakes of older generations are recorded as stale.
  Waker make_waker(std::uint64_t generation);

  /// Forget earlier wakes of the current generation before a poll.
  void begin_poll(std::uint64_t generation);

  /// Wait until the current generation is woken. False when the deadline passes first, or
  /// when only an outdated waker was woken and `stale_grace` passed after that.
  bool wait_for_wake(std::chrono::steady_clock::time_point deadline,
                     std::chrono::milliseconds stale_grace);

  bool woken() const;
  void mark_finished();
  /// Where every wake is also recorded (check --trace); none by default.
  void set_trace(std::shared_ptr<PollTrace> trace);

  std::size_t total_wakes() const;
  std::size_t stale_wakes() const;
  std::uint64_t last_stale_generation() const;
  std::size_t wakes_after_finish() const;
  /// Wakes of the current generation since the last begin_poll().
  std::size_t wakes_this_poll() const;

 private:
  struct Handle;
  void on_wake(std::uint64_t generation);

  mutable std::mutex mutex_;
  std::condition_variable woken_cv_;
  std::uint64_t current_ = 0;
  bool woken_ = false;
  std::size_t this_poll_ = 0;
  bool finished_ = false;
  std::size_t total_ = 0;
  std::size_t stale_ = 0;
  std::uint64_t last_stale_ = 0;
  std::chrono::steady_clock::time_point first_stale_this_poll_{};
  bool stale_this_poll_ = false;
  std::size_t after_finish_ = 0;
  std::shared_ptr<PollTrace> trace_;
};

}  // namespace wb::oracle
