// wb::Runtime and wb::Runtime::Builder — one object that owns an executor and its driver (timers
// and I/O), chosen when it is built: single-threaded (a LocalExecutor) or N worker threads (a
// ThreadPoolExecutor), on real time or on paused virtual time.
//
//   auto runtime = wb::Runtime::builder().worker_threads(4).build();
//   int answer = runtime.block_on(main_task());
#pragma once

#include <cstddef>
#include <memory>
#include <utility>
#include <variant>

#include "wb/exec/driver.hpp"
#include "wb/exec/local_executor.hpp"
#include "wb/exec/thread_pool_executor.hpp"

namespace wb {

class Runtime {
 public:
  class Builder;
  static Builder builder();

  /// Runs `future` on the calling thread until it is Ready; spawned tasks run meanwhile.
  template <Future F>
  output_of<F> block_on(F future) {
    return std::visit([&](auto& executor) { return executor->block_on(std::move(future)); },
                      executor_);
  }

  /// Spawns `future` as a task of this runtime (wb::spawn does the same from inside it).
  template <Future F>
  JoinHandle<output_of<F>> spawn(F future, SpawnSite where = {}) {
    return spawn_on(scheduler(), TaskName{nullptr, where}, std::move(future));
  }
  /// Spawns `future` as a named task (see wb::named).
  template <Future F>
  JoinHandle<output_of<F>> spawn(TaskName name, F future) {
    return spawn_on(scheduler(), name, std::move(future));
  }

  /// The runtime's timer queue (one source of wake-ups of its driver).
  TimerDriver& timer_driver() { return driver().timers(); }
  /// The runtime's epoll driver (the other source).
  IoDriver& io_driver() { return driver().io(); }
  /// What its threads park in: timers and I/O behind one idle call.
  Driver& driver() {
    return std::visit([](auto& executor) -> Driver& { return executor->driver(); }, executor_);
  }
  Scheduler& scheduler() {
    return std::visit([](auto& executor) -> Scheduler& { return executor->scheduler(); },
                      executor_);
  }
  Instant now() { return timer_driver().now(); }
  /// 0 for a single-threaded runtime.
  std::size_t worker_threads() const {
    auto const* pool = std::get_if<std::unique_ptr<ThreadPoolExecutor>>(&executor_);
    return pool ? (*pool)->workers() : 0;
  }

 private:
  using Executor =
      std::variant<std::unique_ptr<LocalExecutor>, std::unique_ptr<ThreadPoolExecutor>>;
  explicit Runtime(Executor executor) : executor_(std::move(executor)) {}
  Executor executor_;
};

class Runtime::Builder {
 public:
  /// Every task on the thread that calls block_on (the default).
  Builder& single_threaded() {
    workers_ = 0;
    return *this;
  }
  /// Tasks on `count` worker threads; block_on's future on the caller's thread.
  Builder& worker_threads(std::size_t count) {
    workers_ = count;
    return *this;
  }
  /// Paused virtual time that jumps to the next timer when every thread is idle.
  Builder& virtual_time(bool on = true) {
    clock_ = on ? Clock::Kind::paused : Clock::Kind::real;
    return *this;
  }

  Runtime build() const {
    if (workers_ == 0) return Runtime(std::make_unique<LocalExecutor>(clock_));
    return Runtime(std::make_unique<ThreadPoolExecutor>(workers_, clock_));
  }

 private:
  std::size_t workers_ = 0;
  Clock::Kind clock_ = Clock::Kind::real;
};

inline Runtime::Builder Runtime::builder() { return {}; }

}  // namespace wb
