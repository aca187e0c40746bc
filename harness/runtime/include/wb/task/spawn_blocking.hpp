// wb::spawn_blocking — runs a blocking call (a file read, a DNS lookup, a long computation) on a
// thread of a bounded pool instead of an executor's thread, and gives back its JoinHandle: await
// it for the call's result, or for its exception rethrown. The fix for a blocked executor: while
// the call blocks its pool thread, the executor goes on polling every other task.
//
//   std::string text = co_await wb::spawn_blocking([path] { return read_whole_file(path); });
//
// The call must own what it uses (capture by value): it may outlive the task that spawned it.
// Aborting the JoinHandle cancels a call that has not started; one that has runs to its end.
#pragma once

#include <type_traits>
#include <utility>

#include "wb/core/future.hpp"
#include "wb/exec/blocking_pool.hpp"
#include "wb/task/join_handle.hpp"
#include "wb/task/spawn.hpp"

namespace wb {

/// The future a blocking call runs as: its one poll makes the call.
template <class F>
class BlockingCall {
 public:
  using Output = std::invoke_result_t<F&>;
  explicit BlockingCall(F call) : call_(std::move(call)) {}
  Poll<Output> poll(Context&) {
    if constexpr (std::is_void_v<Output>) {
      call_();
      return Poll<void>::ready();
    } else {
      return Poll<Output>(call_());
    }
  }

 private:
  F call_;
};

/// Runs `f` on `pool`.
template <class F>
JoinHandle<std::invoke_result_t<F&>> spawn_blocking_on(BlockingPool& pool, F f,
                                                       SpawnSite where = {}) {
  return spawn_on(pool, BlockingCall<F>(std::move(f)), where);
}

/// Runs `f` on the process-wide blocking pool (up to 64 threads; see exec/blocking_pool.hpp).
template <class F>
JoinHandle<std::invoke_result_t<F&>> spawn_blocking(F f, SpawnSite where = {}) {
  return spawn_blocking_on(BlockingPool::global(), std::move(f), where);
}

}  // namespace wb
