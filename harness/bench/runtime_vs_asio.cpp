// The runtime against standalone Asio, in the same run: spawning and completing 100,000 tasks,
// a yield ping-pong between two tasks, and 100,000 timers. Each case runs both ways on one
// thread (wb::LocalExecutor, asio::io_context with a concurrency hint of 1), like for like:
// plain futures against posted handlers, wb::Task coroutines against asio::awaitable ones,
// spawned (posted) from inside the running executor on both sides.
// It prints the best of several rounds for each and the ratio wb / asio (below 1: wb is faster).
//
// Build it in Release (-O2, no sanitizers); a number from a Debug build means nothing.
#include <asio.hpp>
#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "wb/core/future.hpp"
#include "wb/core/poll_fn.hpp"
#include "wb/core/yield_now.hpp"
#include "wb/exec/local_executor.hpp"
#include "wb/task/spawn.hpp"
#include "wb/task/task.hpp"
#include "wb/time/sleep.hpp"

namespace {

using Clock = std::chrono::steady_clock;
constexpr int tasks = 100'000;
constexpr int round_trips = 100'000;
constexpr int timers = 100'000;
constexpr int rounds = 7;

// --- Helpers for the wb side ---

/// Counts finished tasks down to zero, and wakes whoever waits for that.
class Countdown {
 public:
  explicit Countdown(int count) : left_(count) {}
  void one_done() {
    if (--left_ == 0 && waiter_) waiter_->wake_by_ref();
  }
  wb::Poll<void> poll_all_done(wb::Context& cx) {
    if (left_ == 0) return wb::Poll<void>::ready();
    waiter_ = cx.waker();
    return wb::pending;
  }

 private:
  int left_;
  std::optional<wb::Waker> waiter_;
};

/// Calls `spawn_all` from inside the executor (as the Asio side posts from inside a handler),
/// then runs until `done` has counted down to zero.
template <class Fn>
void run_inside(wb::LocalExecutor& executor, Countdown& done, Fn spawn_all) {
  bool spawned = false;
  executor.block_on(wb::poll_fn([&](wb::Context& cx) -> wb::Poll<void> {
    if (!spawned) {
      spawned = true;
      spawn_all();
    }
    return done.poll_all_done(cx);
  }));
}

/// Posts `spawn_all` to `io` and runs it until there is no work left.
template <class Fn>
void run_inside(asio::io_context& io, Fn spawn_all) {
  asio::post(io, spawn_all);
  io.run();
}

/// A hand-written future that yields `times` times, then counts itself done.
class Yielder {
 public:
  using Output = void;
  Yielder(int times, Countdown& done) : left_(times), done_(&done) {}
  wb::Poll<void> poll(wb::Context& cx) {
    if (left_-- == 0) {
      done_->one_done();
      return wb::Poll<void>::ready();
    }
    cx.waker().wake_by_ref();
    return wb::pending;
  }

 private:
  int left_;
  Countdown* done_;
};

/// A timer future that counts itself done when it fires.
class CountedSleep {
 public:
  using Output = void;
  CountedSleep(wb::Instant deadline, Countdown& done)
      : sleep_(wb::sleep_until(deadline)), done_(&done) {}
  wb::Poll<void> poll(wb::Context& cx) {
    if (sleep_.poll(cx).is_pending()) return wb::pending;
    done_->one_done();
    return wb::Poll<void>::ready();
  }

 private:
  wb::Sleep sleep_;
  Countdown* done_;
};

double millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

template <class Fn>
double best_of(Fn fn) {
  double best = 1e300;
  for (int round = 0; round < rounds; ++round) {
    auto start = Clock::now();
    fn();
    best = std::min(best, millis(Clock::now() - start));
  }
  return best;
}

int failures = 0;
void expect(bool ok, char const* what) {
  if (!ok) {
    std::fprintf(stderr, "benchmark check failed: %s\n", what);
    ++failures;
  }
}

// --- Spawning and completing tasks ---

void wb_spawn_futures() {
  wb::LocalExecutor executor;
  Countdown done(tasks);
  int ran = 0;
  run_inside(executor, done, [&] {
    for (int i = 0; i < tasks; ++i) {
      wb::spawn(wb::poll_fn([&](wb::Context&) -> wb::Poll<void> {
        ++ran;
        done.one_done();
        return wb::Poll<void>::ready();
      })).detach();
    }
  });
  expect(ran == tasks, "wb ran every spawned future");
}

void asio_post_handlers() {
  asio::io_context io(1);
  int ran = 0;
  run_inside(io, [&] {
    for (int i = 0; i < tasks; ++i) asio::post(io, [&] { ++ran; });
  });
  expect(ran == tasks, "asio ran every posted handler");
}

#if defined(ASIO_HAS_CO_AWAIT)  // Asio's side needs its C++20 coroutine support
void wb_spawn_coroutines() {
  wb::LocalExecutor executor;
  Countdown done(tasks);
  int ran = 0;
  run_inside(executor, done, [&] {
    for (int i = 0; i < tasks; ++i) {
      wb::spawn([](int& ran, Countdown& done) -> wb::Task<void> {
        ++ran;
        done.one_done();
        co_return;
      }(ran, done))
          .detach();
    }
  });
  expect(ran == tasks, "wb ran every spawned coroutine");
}

void asio_co_spawn() {
  asio::io_context io(1);
  int ran = 0;
  run_inside(io, [&] {
    for (int i = 0; i < tasks; ++i) {
      asio::co_spawn(
          io,
          [](int& ran) -> asio::awaitable<void> {
            ++ran;
            co_return;
          }(ran),
          asio::detached);
    }
  });
  expect(ran == tasks, "asio ran every co_spawned coroutine");
}
#endif

// --- Yield ping-pong: two tasks that hand the thread to each other ---

void wb_ping_pong_futures() {
  wb::LocalExecutor executor;
  Countdown done(2);
  run_inside(executor, done, [&] {
    wb::spawn(Yielder(round_trips, done)).detach();
    wb::spawn(Yielder(round_trips, done)).detach();
  });
}

void asio_ping_pong_handlers() {
  asio::io_context io(1);
  int finished = 0;
  struct Player {
    asio::io_context* io;
    int left;
    int* finished;
    void operator()() {
      if (left-- == 0) {
        ++*finished;
        return;
      }
      asio::post(*io, *this);
    }
  };
  run_inside(io, [&] {
    asio::post(io, Player{&io, round_trips, &finished});
    asio::post(io, Player{&io, round_trips, &finished});
  });
  expect(finished == 2, "asio ping-pong handlers both finished");
}

#if defined(ASIO_HAS_CO_AWAIT)  // Asio's side needs its C++20 coroutine support
void wb_ping_pong_coroutines() {
  wb::LocalExecutor executor;
  Countdown done(2);
  auto player = [](Countdown& done) -> wb::Task<void> {
    for (int i = 0; i < round_trips; ++i) co_await wb::yield_now();
    done.one_done();
  };
  run_inside(executor, done, [&] {
    wb::spawn(player(done)).detach();
    wb::spawn(player(done)).detach();
  });
}

void asio_ping_pong_coroutines() {
  asio::io_context io(1);
  int finished = 0;
  auto player = [](asio::io_context& io, int& finished) -> asio::awaitable<void> {
    for (int i = 0; i < round_trips; ++i) co_await asio::post(io, asio::use_awaitable);
    ++finished;
  };
  run_inside(io, [&] {
    asio::co_spawn(io, player(io, finished), asio::detached);
    asio::co_spawn(io, player(io, finished), asio::detached);
  });
  expect(finished == 2, "asio ping-pong coroutines both finished");
}
#endif

// --- Timers: deadlines spread over one millisecond, so that the work, not the wait, is timed ---

Clock::time_point deadline_of(Clock::time_point start, int i) {
  return start + std::chrono::microseconds(i % 1000);
}

void wb_timers() {
  wb::LocalExecutor executor;
  Countdown done(timers);
  run_inside(executor, done, [&] {
    auto start = Clock::now();
    for (int i = 0; i < timers; ++i) wb::spawn(CountedSleep(deadline_of(start, i), done)).detach();
  });
}

void asio_timers() {
  asio::io_context io(1);
  int fired = 0;
  std::vector<std::unique_ptr<asio::steady_timer>> all;
  all.reserve(timers);
  run_inside(io, [&] {
    auto start = Clock::now();
    for (int i = 0; i < timers; ++i) {
      all.push_back(std::make_unique<asio::steady_timer>(io, deadline_of(start, i)));
      all.back()->async_wait([&](asio::error_code const& error) {
        if (!error) ++fired;
      });
    }
  });
  expect(fired == timers, "asio fired every timer");
}

#if defined(ASIO_HAS_CO_AWAIT)  // Asio's side needs its C++20 coroutine support
void wb_timer_coroutines() {
  wb::LocalExecutor executor;
  Countdown done(timers);
  run_inside(executor, done, [&] {
    auto start = Clock::now();
    for (int i = 0; i < timers; ++i) {
      wb::spawn([](wb::Instant deadline, Countdown& done) -> wb::Task<void> {
        co_await wb::sleep_until(deadline);
        done.one_done();
      }(deadline_of(start, i), done))
          .detach();
    }
  });
}

void asio_timer_coroutines() {
  asio::io_context io(1);
  int fired = 0;
  run_inside(io, [&] {
    auto start = Clock::now();
    for (int i = 0; i < timers; ++i) {
      asio::co_spawn(
          io,
          [](asio::io_context& io, Clock::time_point deadline,
             int& fired) -> asio::awaitable<void> {
            asio::steady_timer timer(io, deadline);
            co_await timer.async_wait(asio::use_awaitable);
            ++fired;
          }(io, deadline_of(start, i), fired),
          asio::detached);
    }
  });
  expect(fired == timers, "asio fired every coroutine's timer");
}
#endif

struct Case {
  char const* what;
  std::function<void()> wb;
  std::function<void()> asio;
  double target = 0;  // the ratio this case must not exceed (issue 17), or 0 for none
};

}  // namespace

int main() {
  std::vector<Case> cases = {
    // The capstone spawns a task per connection: spawning must stay close to posting.
    {"spawn and complete 100,000 tasks: futures vs posted handlers", wb_spawn_futures,
     asio_post_handlers, 1.5},
#if defined(ASIO_HAS_CO_AWAIT)
    {"spawn and complete 100,000 tasks: wb::Task vs asio::awaitable", wb_spawn_coroutines,
     asio_co_spawn},
#endif
    {"yield ping-pong, 2 x 100,000 yields: futures vs reposting handlers", wb_ping_pong_futures,
     asio_ping_pong_handlers},
#if defined(ASIO_HAS_CO_AWAIT)
    {"yield ping-pong, 2 x 100,000 yields: wb::Task vs asio::awaitable", wb_ping_pong_coroutines,
     asio_ping_pong_coroutines},
#endif
    {"100,000 timers: sleep futures vs steady_timer handlers", wb_timers, asio_timers},
#if defined(ASIO_HAS_CO_AWAIT)
    {"100,000 timers: wb::Task vs asio::awaitable", wb_timer_coroutines, asio_timer_coroutines},
#endif
  };
  std::printf("best of %d rounds; ratio = wb / asio (below 1.00: wb is faster)\n", rounds);
#if !defined(ASIO_HAS_CO_AWAIT)
  std::printf("this Asio has no C++20 coroutine support here: the coroutine cases are skipped\n");
#endif
  std::printf("\n");
  std::printf("%-70s %9s %9s %7s  %s\n", "case", "wb ms", "asio ms", "ratio", "target");
  for (auto& c : cases) {
    c.wb();  // warm up both before timing either
    c.asio();
    double wb_ms = best_of(c.wb);
    double asio_ms = best_of(c.asio);
    double ratio = wb_ms / asio_ms;
    std::printf("%-70s %9.2f %9.2f %7.2f", c.what, wb_ms, asio_ms, ratio);
    if (c.target > 0) {
      std::printf("  <= %.2f %s", c.target, ratio <= c.target ? "(met)" : "(NOT met)");
    }
    std::printf("\n");
  }
  return failures == 0 ? 0 : 1;
}
