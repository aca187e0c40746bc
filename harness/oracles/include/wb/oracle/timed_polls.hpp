// wb::oracle::TimedPolls — the blocking watchdog as a future adaptor, for futures that need a
// real runtime (spawn, spawn_blocking) and so cannot run under an oracle executor: it times every
// poll of the future inside it, on whatever executor polls it, and a poll over the limit ends the
// run with a verdict naming the executor thread that was blocked.
#pragma once

#include <chrono>
#include <cstddef>
#include <utility>

#include "wb/core/contract.hpp"
#include "wb/core/future.hpp"
#include "wb/oracle/verdicts.hpp"

namespace wb::oracle {

template <Future F>
class TimedPolls {
 public:
  using Output = output_of<F>;

  TimedPolls(F inner, std::chrono::milliseconds limit) : inner_(std::move(inner)), limit_(limit) {}

  Poll<Output> poll(Context& cx) {
    ++polls_;
    auto const started = std::chrono::steady_clock::now();
    auto result = inner_.poll(cx);
    auto const took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    if (took > limit_)
      throw ContractViolation(std::string(verdict::blocking_watchdog),
                              verdict::blocked_executor(polls_, took, limit_));
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
