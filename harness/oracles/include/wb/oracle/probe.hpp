// wb::oracle::Probe — wraps a future handed to learner code (a combinator's child, say) and
// catches misuse from the outside: polls after Ready, a move after the first poll. It also
// records how often it was polled and with which waker.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>

#include "wb/core/address_check.hpp"
#include "wb/core/contract.hpp"
#include "wb/core/future.hpp"
#include "wb/oracle/verdicts.hpp"

namespace wb::oracle {

struct ProbeStats {
  std::size_t polls = 0;
  bool finished = false;
  bool destroyed = false;
};

template <Future F>
class Probe {
 public:
  using Output = output_of<F>;

  /// `name` appears in verdicts ("the first future passed to join"); `stats` outlives the probe.
  Probe(F inner, std::string name, std::shared_ptr<ProbeStats> stats)
      : inner_(std::move(inner)), name_(std::move(name)), stats_(std::move(stats)) {}
  Probe(Probe&&) = default;
  ~Probe() {
    if (stats_) stats_->destroyed = true;
  }

  Poll<Output> poll(Context& cx) {
    check_.on_poll(this);
    if (stats_->finished)
      throw ContractViolation(std::string(verdict::after_ready_oracle),
                              verdict::polled_after_ready(name_));
    ++stats_->polls;
    auto result = inner_.poll(cx);
    if (result.is_ready()) stats_->finished = true;
    return result;
  }

 private:
  F inner_;
  std::string name_;
  std::shared_ptr<ProbeStats> stats_;
  AddressCheck check_;
};

}  // namespace wb::oracle
