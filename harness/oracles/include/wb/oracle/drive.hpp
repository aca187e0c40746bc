// wb::oracle::drive — the one loop behind every oracle executor. A Policy says how the oracle
// departs from a plain executor (fresh wakers, spurious polls, polls on other threads); the loop
// enforces the poll contract and throws wb::ContractViolation with a verdict when it is broken.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>

#include "wb/core/contract.hpp"
#include "wb/core/future.hpp"
#include "wb/oracle/options.hpp"
#include "wb/oracle/poll_trace.hpp"
#include "wb/oracle/verdicts.hpp"
#include "wb/oracle/wake_log.hpp"
#include "wb/oracle/watchdog.hpp"

namespace wb::oracle {

struct Policy {
  std::string_view name;      // "parking", "waker-swap", … as the verdict names it
  bool wait_for_wake = true;  // false: poll again at once (the spin executor)
  bool fresh_waker_each_poll = false;
  bool spurious_polls = false;  // poll once more, unasked, before waiting for a wake
  bool poll_on_other_threads = false;
  bool wakes_after_ready_fail = false;
  std::chrono::milliseconds after_ready_grace{0};
};

namespace detail {

/// A future's poll with its type erased: `poll` polls the future `self` points at and says
/// whether it was Ready (the typed caller keeps the output). The loop that enforces the contract
/// is compiled once, in the oracles' library (src/drive.cpp), rather than once for every future
/// type in every test file — it was most of what a test file took to compile.
struct ErasedFuture {
  void* self = nullptr;
  bool (*poll)(void* self, Context& cx) = nullptr;
};

/// What a run counted, whatever the future's output.
struct Counts {
  std::size_t polls = 0;
  std::size_t spurious_polls = 0;
  std::size_t wakes = 0;
};

/// Drives `future` to Ready under `policy`, or throws ContractViolation with the verdict (and,
/// under check --trace, the poll/wake timeline).
Counts drive_erased(ErasedFuture future, Options const& options, Policy const& policy);

}  // namespace detail

template <Future F>
Outcome<output_of<F>> drive(F& future, Options const& options, Policy const& policy) {
  using Output = output_of<F>;
  if constexpr (std::is_void_v<Output>) {
    auto poll = [](void* self, Context& cx) { return static_cast<F*>(self)->poll(cx).is_ready(); };
    auto const counts = detail::drive_erased({&future, poll}, options, policy);
    return {counts.polls, counts.spurious_polls, counts.wakes};
  } else {
    struct State {
      F* future;
      std::optional<Output> output;
    } state{&future, std::nullopt};
    auto poll = [](void* self, Context& cx) {
      auto* state = static_cast<State*>(self);
      auto result = state->future->poll(cx);
      if (result.is_pending()) return false;
      state->output.emplace(std::move(result).value());
      return true;
    };
    auto const counts = detail::drive_erased({&state, poll}, options, policy);
    return {std::move(*state.output), counts.polls, counts.spurious_polls, counts.wakes};
  }
}

}  // namespace wb::oracle
