// wb::testing::run_with_deadline — runs a call on a thread of its own and waits for it at most a
// deadline, so that a test of code that may hang (a lost wake-up, say) fails with a message
// instead of stalling the whole test program. A call that misses the deadline is left running on
// its detached thread: it must own (or share) everything it touches.
#pragma once

#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>

namespace wb::testing {

/// Thrown by run_with_deadline when the call has not returned in time; what() says what hung.
class DeadlineMissed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Calls `fn()` on a new thread. Returns what it returns and rethrows what it throws; when it is
/// still running after `limit`, throws DeadlineMissed with `what_hung` and the time waited.
template <class Fn>
std::invoke_result_t<Fn&> run_with_deadline(std::chrono::milliseconds limit,
                                            std::string const& what_hung, Fn fn) {
  using Result = std::invoke_result_t<Fn&>;
  struct State {
    std::mutex mutex;
    std::condition_variable finished;
    bool done = false;
    std::exception_ptr error;
    std::conditional_t<std::is_void_v<Result>, bool, std::optional<Result>> result{};
  };
  auto state = std::make_shared<State>();
  std::thread worker([state, fn = std::move(fn)]() mutable {
    try {
      if constexpr (std::is_void_v<Result>) {
        fn();
      } else {
        state->result.emplace(fn());
      }
    } catch (...) {
      state->error = std::current_exception();
    }
    {
      std::lock_guard lock(state->mutex);
      state->done = true;
    }
    state->finished.notify_all();
  });

  bool in_time = false;
  {
    std::unique_lock lock(state->mutex);
    in_time = state->finished.wait_for(lock, limit, [&] { return state->done; });
  }
  if (!in_time) {
    worker.detach();  // it may never return; the shared state keeps what it uses alive
    throw DeadlineMissed(what_hung + " (still running after " + std::to_string(limit.count()) +
                         " ms)");
  }
  worker.join();
  if (state->error) std::rethrow_exception(state->error);
  if constexpr (!std::is_void_v<Result>) return std::move(*state->result);
}

}  // namespace wb::testing
