// wb::oracle::TimedPolls — the blocking watchdog as a future adaptor, for futures that need a
// real runtime (spawn, spawn_blocking) and so cannot run under an oracle executor: it times every
// poll of the future inside it, on whatever executor polls it, and a poll over the limit that
// slept or spun (PollStopwatch) ends the run with a verdict naming the executor thread it blocked.
#pragma once

#include <chrono>
#include <cstddef>
#include <utility>

#include "wb/core/contract.hpp"
#include "wb/core/future.hpp"
#include "wb/oracle/poll_stopwatch.hpp"
#include "wb/oracle/verdicts.hpp"

namespace wb::oracle {

template <Future F>
class TimedPolls {
 public:
  using Output = output_of<F>;

  TimedPolls(F inner, std::chrono::milliseconds limit) : inner_(std::move(inner)), limit_(limit) {}

  Poll<Output> poll(Context& cx) {
    ++polls_;
    PollStopwatch stopwatch;
    auto result = inner_.poll(cx);
    stopwatch.stop();
    // A poll the machine's load preempted has blocked nothing: judged only when it slept or spun.
    if (stopwatch.blocked_longer_than(limit_))
      throw ContractViolation(std::string(verdict::blocking_watchdog),
                              verdict::blocked_executor(polls_, stopwatch.took(), limit_));
    return result;
  }

 private:
  F inner_;
  std::chrono::milliseconds limit_;
  std::size_t polls_ = 0;
};

/// `future`, with every poll that takes longer than `limit` reported as blocking its executor.
template <Future F>
TimedPolls<F> time_every_poll(F future, std::chrono::milliseconds limit) {
  return TimedPolls<F>(std::move(future), limit);
}

}  // namespace wb::oracle
