// wb::JoinSet<T> — a set of spawned tasks of one output type: spawn many, then take their
// results in the order they finish with `co_await set.join_next()`. Destroying the set aborts
// every task still in it, so a JoinSet is how a function keeps its tasks from outliving it.
#pragma once

#include <cstddef>
#include <optional>
#include <utility>

#include "wb/combinator/futures_unordered.hpp"
#include "wb/core/future.hpp"
#include "wb/task/join_handle.hpp"
#include "wb/task/spawn.hpp"

namespace wb {

template <class T>
class JoinSet {
 public:
  JoinSet() = default;
  JoinSet(JoinSet&&) = default;
  /// Aborts every task that has not been joined.
  ~JoinSet() { abort_all(); }

  /// Spawns `future` on the runtime running on this thread and adds it to the set.
  template <Future F>
  requires std::same_as<output_of<F>, T>
  void spawn(F future, SpawnSite where = {}) {
    handles_.push(wb::spawn(TaskName{nullptr, where}, std::move(future)));
  }

  /// Spawns `future` as a named task (see wb::named) and adds it to the set.
  template <Future F>
  requires std::same_as<output_of<F>, T>
  void spawn(TaskName name, F future) { handles_.push(wb::spawn(name, std::move(future))); }

  /// Spawns `future` on `scheduler` and adds it to the set.
  template <Future F>
  requires std::same_as<output_of<F>, T>
  void spawn_on(Scheduler& scheduler, F future, SpawnSite where = {}) {
    handles_.push(wb::spawn_on(scheduler, TaskName{nullptr, where}, std::move(future)));
  }

  /// A future of the output of the next task to finish, or nullopt when the set is empty. A
  /// task that threw rethrows here; an aborted one throws TaskAborted. Either way it leaves the
  /// set. (For T = void the output is std::monostate.)
  typename FuturesUnordered<JoinHandle<T>>::Next join_next() { return handles_.next(); }

  /// Asks every task in the set to stop; join_next then throws TaskAborted for each.
  void abort_all() {
    handles_.for_each([](JoinHandle<T>& handle) { handle.abort(); });
  }

  std::size_t size() const noexcept { return handles_.size(); }
  bool empty() const noexcept { return handles_.empty(); }

 private:
  FuturesUnordered<JoinHandle<T>> handles_;
};

}  // namespace wb
