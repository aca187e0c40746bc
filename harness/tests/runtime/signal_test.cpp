// Signals: ctrl_c() delivered by kill(getpid(), SIGINT) to this very test program, and the
// shutdown trigger that tests (and Ctrl-C) flip.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "wb/core/poll_fn.hpp"
#include "wb/exec/runtime.hpp"
#include "wb/signal/block_ctrl_c.hpp"
#include "wb/signal/ctrl_c.hpp"
#include "wb/signal/shutdown_trigger.hpp"
#include "wb/task/spawn.hpp"
#include "wb/task/task.hpp"
#include "wb/testing/catch.hpp"
#include "wb/time/sleep.hpp"
#include "wb/time/timeout.hpp"

using namespace std::chrono_literals;

namespace {

// What ctrl_c.hpp asks of a program, done before main and so before any thread of this test
// program starts: every thread inherits the block, and a SIGINT sent to the process waits in
// the kernel for a signalfd to read it instead of ending the program.
bool const sigint_blocked = wb::signal::block_ctrl_c();

constexpr auto hang_guard = 60s;

}  // namespace

TEST_CASE("ctrl_c is Ready when SIGINT is sent to the process from another thread") {
  REQUIRE(sigint_blocked);
  for (std::size_t workers : {0, 2}) {
    CAPTURE(workers);
    auto runtime = wb::Runtime::builder().worker_threads(workers).build();
    auto pendings = std::make_shared<std::atomic<int>>(0);
    std::thread sender([pendings] {
      while (pendings->load() == 0) std::this_thread::yield();  // ctrl_c() waits now
      ::kill(::getpid(), SIGINT);
    });
    auto outcome = runtime.block_on(wb::timeout(
        hang_guard, [](std::shared_ptr<std::atomic<int>> pendings) -> wb::Task<wb::IoResult<void>> {
          auto ctrl_c = wb::signal::ctrl_c();
          co_return co_await wb::poll_fn([&](wb::Context& cx) {
            auto result = ctrl_c.poll(cx);
            if (result.is_pending()) ++*pendings;
            return result;
          });
        }(pendings)));
    sender.join();
    REQUIRE(outcome.has_value());  // not the hang guard
    CHECK(outcome->has_value());
    CHECK(pendings->load() >= 1);  // it really waited for the signal
  }
}

TEST_CASE("a shutdown trigger wakes every waiter, and a wait after it is Ready at once") {
  auto runtime = wb::Runtime::builder().virtual_time().build();
  wb::signal::ShutdownTrigger trigger;
  CHECK_FALSE(trigger.is_triggered());
  auto start = runtime.now();
  auto woken_at = runtime.block_on(
      [](wb::signal::ShutdownTrigger trigger) -> wb::Task<std::vector<wb::Duration>> {
        auto t0 = wb::now();
        std::vector<wb::JoinHandle<wb::Duration>> waiters;
        for (int i = 0; i < 3; ++i) {
          waiters.push_back(wb::spawn(
              [](wb::signal::ShutdownTrigger trigger, wb::Instant t0) -> wb::Task<wb::Duration> {
                co_await trigger.wait();
                co_return wb::now() - t0;
              }(trigger, t0)));
        }
        co_await wb::sleep(5s);
        trigger.trigger();
        std::vector<wb::Duration> times;
        for (auto& waiter : waiters) times.push_back(co_await std::move(waiter));
        co_await trigger.wait();  // already flipped: Ready at once
        times.push_back(wb::now() - t0);
        co_return times;
      }(trigger));
  CHECK(trigger.is_triggered());
  CHECK(woken_at == std::vector<wb::Duration>{5s, 5s, 5s, 5s});
  CHECK(runtime.now() - start == 5s);
}

TEST_CASE("Ctrl-C flips a shutdown trigger that a server waits on") {
  REQUIRE(sigint_blocked);
  auto runtime = wb::Runtime::builder().worker_threads(2).build();
  wb::signal::ShutdownTrigger trigger;
  auto on_ctrl_c = runtime.spawn(wb::signal::trigger_on_ctrl_c(trigger));
  std::thread sender([trigger] {
    // Sent again until it is taken in: the first may come before the signalfd exists (then it
    // waits in the kernel and is read all the same) — kill is simply repeated, never timed.
    while (!trigger.is_triggered()) {
      ::kill(::getpid(), SIGINT);
      std::this_thread::sleep_for(1ms);
    }
  });
  auto outcome = runtime.block_on(wb::timeout(hang_guard, trigger.wait()));
  sender.join();
  CHECK(outcome.has_value());
  CHECK(trigger.is_triggered());
  auto result = runtime.block_on(std::move(on_ctrl_c));
  CHECK(result.has_value());
  // Signals the loop sent after the trigger may still be pending: take them in so they cannot
  // reach a later test.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  timespec none{0, 0};
  while (::sigtimedwait(&set, nullptr, &none) == SIGINT) {
  }
}
