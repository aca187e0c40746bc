// wb::join and wb::join_all — run several futures at once and finish when all have finished,
// with all their outputs: a tuple for join(a, b, c), a vector for join_all(futures). Every
// unfinished child is polled on each poll, in order; a finished one is never polled again.
#pragma once

#include <tuple>
#include <utility>
#include <vector>

#include "wb/combinator/maybe_done.hpp"
#include "wb/core/contract.hpp"
#include "wb/core/future.hpp"

namespace wb {

// ANCHOR: join
template <Future... Fs>
class Join {
 public:
  using Output = std::tuple<value_of<Fs>...>;  // a void child gives std::monostate

  explicit Join(Fs... futures) : children_(MaybeDone<Fs>(std::move(futures))...) {}

  Poll<Output> poll(Context& cx) {
    if (finished_) throw ContractViolation("a wb::join was polled again after it returned Ready");
    bool all_done = true;
    std::apply([&](auto&... child) { ((all_done = child.poll(cx) && all_done), ...); }, children_);
    if (!all_done) return pending;
    finished_ = true;
    return std::apply([](auto&... child) { return Output{child.take()...}; }, children_);
  }

 private:
  std::tuple<MaybeDone<Fs>...> children_;
  bool finished_ = false;
};

/// A future of all the outputs, in argument order.
template <Future... Fs>
Join<Fs...> join(Fs... futures) {
  return Join<Fs...>(std::move(futures)...);
}
// ANCHOR_END: join

/// join for any number of futures of one type. Each poll polls every unfinished child, which
/// is fine for tens of children; for thousands, FuturesUnordered polls only the woken ones.
template <Future F>
class JoinAll {
 public:
  using Output = std::vector<value_of<F>>;

  explicit JoinAll(std::vector<F> futures) {
    children_.reserve(futures.size());  // never reallocated after: children stay in place
    for (auto& future : futures) children_.emplace_back(std::move(future));
  }

  Poll<Output> poll(Context& cx) {
    if (finished_)
      throw ContractViolation("a wb::join_all was polled again after it returned Ready");
    bool all_done = true;
    for (auto& child : children_) all_done = child.poll(cx) && all_done;
    if (!all_done) return pending;
    finished_ = true;
    Output outputs;
    outputs.reserve(children_.size());
    for (auto& child : children_) outputs.push_back(child.take());
    return outputs;
  }

 private:
  std::vector<MaybeDone<F>> children_;
  bool finished_ = false;
};

/// A future of every output, in the order of `futures`.
template <Future F>
JoinAll<F> join_all(std::vector<F> futures) {
  return JoinAll<F>(std::move(futures));
}

}  // namespace wb
