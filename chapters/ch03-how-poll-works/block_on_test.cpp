// Tests for the parking block_on: the parker alone, the hand-made waker alone, then block_on on
// futures that wake themselves, futures woken from another thread, and wakes that race the park.
// Anything that might hang runs through run_with_deadline, so a lost wake-up fails the test with
// a message instead of freezing the program. The exercise is included with angle brackets so the
// build decides whose version is compiled (yours, or the reference solution).
#include <time.h>

#include <atomic>
#include <block_on.hpp>
#include <chrono>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <thread>
#include <vector>
#include <wb/core/ready.hpp>
#include <wb/core/yield_now.hpp>
#include <wb/testing/catch.hpp>
#include <wb/testing/delayed_wake.hpp>
#include <wb/testing/guarded_thread.hpp>
#include <wb/testing/run_with_deadline.hpp>
#include <wb/testing/wake_racer.hpp>

using namespace std::chrono_literals;
using wb::testing::GuardedThread;
using wb::testing::run_with_deadline;
using Clock = std::chrono::steady_clock;

namespace {

std::string const lost_wake_up =
    "a wake-up was lost: block_on never returned although the future's waker was called. "
    "The unpark probably came before park() and was forgotten; park() must return at once when "
    "unpark() already happened (a token under the mutex, waited on with a predicate)";

/// Pending `count` times, waking itself each time, then Ready with "Liftoff!". Counts its polls.
class SelfWakingCountdown {
 public:
  using Output = std::string;
  SelfWakingCountdown(unsigned count, std::shared_ptr<std::size_t> polls)
      : count_(count), polls_(std::move(polls)) {}

  wb::Poll<std::string> poll(wb::Context& cx) {
    ++*polls_;
    if (count_ == 0) return std::string("Liftoff!");
    --count_;
    cx.waker().wake_by_ref();
    return wb::pending;
  }

 private:
  unsigned count_;
  std::shared_ptr<std::size_t> polls_;
};

/// Keeps a clone of its waker in `kept` (shared with the test), wakes itself once, then is Ready.
class KeepsItsWaker {
 public:
  using Output = int;
  explicit KeepsItsWaker(std::shared_ptr<std::optional<wb::Waker>> kept) : kept_(std::move(kept)) {}

  wb::Poll<int> poll(wb::Context& cx) {
    if (kept_->has_value()) return 7;
    kept_->emplace(cx.waker());
    cx.waker().wake_by_ref();
    return wb::pending;
  }

 private:
  std::shared_ptr<std::optional<wb::Waker>> kept_;
};

std::chrono::nanoseconds thread_cpu_time() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
}

template <class Duration>
long long ms(Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

}  // namespace

// ---- the parker ------------------------------------------------------------------------------

TEST_CASE("an unpark that comes before park is remembered") {
  auto parker = std::make_shared<ex::ThreadParker>();
  parker->unpark();
  run_with_deadline(1000ms,
                    "park() did not return although unpark() had been called just before it: the "
                    "unpark was lost. park() must return at once when unpark() came first (keep a "
                    "token under the mutex and wait with a predicate)",
                    [parker] { parker->park(); });
}

TEST_CASE("park sleeps until another thread unparks") {
  auto parker = std::make_shared<ex::ThreadParker>();
  auto const slept = run_with_deadline(
      1000ms, "park() did not return after another thread called unpark()", [parker] {
        GuardedThread unparker([parker] {
          std::this_thread::sleep_for(50ms);
          parker->unpark();
        });
        auto const start = Clock::now();
        parker->park();
        auto const slept = Clock::now() - start;
        unparker.join();
        return slept;
      });
  if (slept < 40ms) {
    FAIL("park() returned after " << ms(slept)
                                  << " ms, before any unpark() came (at 50 ms): with no unpark "
                                     "waiting, park() must sleep until one arrives");
  }
}

TEST_CASE("park uses up the unpark so the next park sleeps again") {
  auto parker = std::make_shared<ex::ThreadParker>();
  auto const slept = run_with_deadline(
      1000ms, "the second park() did not return after another thread called unpark()", [parker] {
        parker->unpark();
        parker->park();  // uses up the token
        GuardedThread unparker([parker] {
          std::this_thread::sleep_for(50ms);
          parker->unpark();
        });
        auto const start = Clock::now();
        parker->park();
        auto const slept = Clock::now() - start;
        unparker.join();
        return slept;
      });
  if (slept < 40ms) {
    FAIL("after one unpark() and one park(), the next park() returned after "
         << ms(slept)
         << " ms without a new unpark(): park() must clear the token it used, or an executor "
            "built on it never sleeps again after its first wake-up");
  }
}

// ---- the waker ---------------------------------------------------------------------------------

TEST_CASE("a clone of the waker keeps the parker alive after the original is dropped") {
  auto parker = std::make_shared<ex::ThreadParker>();
  std::weak_ptr<ex::ThreadParker> watch = parker;
  std::optional<wb::Waker> original(ex::make_parker_waker(std::move(parker)));
  // The clone lives in raw storage so that, if clone() forgot to count it, the test can give up
  // without dropping it a second time.
  alignas(wb::Waker) unsigned char storage[sizeof(wb::Waker)];
  auto* clone = new (storage) wb::Waker(*original);
  original.reset();
  if (watch.expired()) {
    FAIL(
        "dropping the original waker destroyed the parker although a clone of it still exists: "
        "clone() must add a reference (increment handles) and drop() must delete the block only "
        "when the last handle goes");
  }
  clone->wake_by_ref();
  clone->~Waker();
  if (!watch.expired()) {
    FAIL(
        "the parker is still alive after every handle of its waker was dropped: the last drop() "
        "must delete the block (and with it the block's shared_ptr to the parker)");
  }
}

TEST_CASE("clones of the waker are known to wake the same thread") {
  auto waker = ex::make_parker_waker(std::make_shared<ex::ThreadParker>());
  wb::Waker clone = waker;
  if (!clone.will_wake(waker)) {
    FAIL(
        "will_wake() is false for a clone and its original: clone() must return the same data "
        "pointer (with one more handle counted in its block), not a new block");
  }
  CHECK(clone.raw().vtable == &ex::parker_waker::vtable);
}

TEST_CASE("waking by reference unparks the parker and keeps the handle") {
  auto parker = std::make_shared<ex::ThreadParker>();
  auto waker = ex::make_parker_waker(parker);
  waker.wake_by_ref();
  run_with_deadline(1000ms,
                    "park() did not return after the waker was woken: wake_by_ref() must unpark "
                    "the parker",
                    [parker] { parker->park(); });
  if (parker.use_count() != 2) {
    FAIL("after wake_by_ref() the parker has " << parker.use_count() - 1
                                               << " owners besides the test, not 1 (the waker's "
                                                  "block): wake_by_ref() must not add or release a "
                                                  "handle");
  }
}

TEST_CASE("waking by value unparks the parker and releases the handle") {
  auto parker = std::make_shared<ex::ThreadParker>();
  auto waker = ex::make_parker_waker(parker);
  std::move(waker).wake();
  run_with_deadline(1000ms,
                    "park() did not return after the waker was woken by value: wake() must unpark "
                    "the parker",
                    [parker] { parker->park(); });
  if (parker.use_count() != 1) {
    FAIL(
        "after waking the only handle by value the block still holds the parker: wake() uses "
        "its handle up, so after unparking it must release it exactly as drop() does");
  }
}

// ---- block_on ----------------------------------------------------------------------------------

TEST_CASE("block_on returns the output of a future that is Ready at once") {
  auto value = run_with_deadline(1000ms, "block_on(wb::ready(...)) never returned",
                                 [] { return ex::block_on(wb::ready(std::make_unique<int>(42))); });
  REQUIRE(value != nullptr);
  CHECK(*value == 42);
}

TEST_CASE("block_on runs a future whose output is void") {
  run_with_deadline(1000ms, "block_on(wb::yield_now()) never returned: " + lost_wake_up,
                    [] { ex::block_on(wb::yield_now()); });
}

TEST_CASE("block_on polls a self-waking countdown once per step") {
  auto polls = std::make_shared<std::size_t>(0);
  auto out = run_with_deadline(1000ms, "block_on of a countdown from 1000: " + lost_wake_up,
                               [polls] { return ex::block_on(SelfWakingCountdown(1000, polls)); });
  CHECK(out == "Liftoff!");
  if (*polls != 1001) {
    FAIL("block_on polled a countdown from 1000 " << *polls
                                                  << " times; it is Pending 1000 times, then "
                                                     "Ready, so 1001 polls exactly: poll once "
                                                     "per wake, no more");
  }
}

TEST_CASE("a future woken from another thread is polled exactly twice") {
  auto polls = run_with_deadline(
      2000ms, "block_on of a future woken from another thread after 30 ms: " + lost_wake_up,
      [] { return ex::block_on(wb::testing::DelayedWake(30ms)); });
  if (polls != 2) {
    FAIL("block_on polled the future "
         << polls
         << " times while it waited for one wake-up from another thread; a parking block_on polls "
            "it twice: once at the start, once after the wake. Between the two it must sleep in "
            "park(), not poll again (a loop that keeps polling spins a core)");
  }
}

TEST_CASE("block_on sleeps instead of spinning while it waits for a wake") {
  struct Times {
    std::chrono::nanoseconds cpu;
    Clock::duration wall;
  };
  auto t =
      run_with_deadline(2000ms, "block_on of a future woken after 200 ms: " + lost_wake_up, [] {
        auto const cpu_start = thread_cpu_time();
        auto const wall_start = Clock::now();
        ex::block_on(wb::testing::DelayedWake(200ms));
        return Times{thread_cpu_time() - cpu_start, Clock::now() - wall_start};
      });
  if (t.cpu * 10 > t.wall) {
    FAIL("block_on used " << ms(t.cpu) << " ms of CPU time while it waited " << ms(t.wall)
                          << " ms for one wake-up, over a tenth of the time: it is spinning. "
                             "After Pending it must sleep in park() until the waker fires");
  }
}

TEST_CASE("no wake-up is lost when the wake races the park") {
  // Each round: the future hands its waker to the racer thread and returns Pending; the racer
  // wakes it a moment later, sometimes before block_on has parked, sometimes after. A parker that
  // forgets an unpark arriving before park() sleeps forever in some round. Up to 3000 rounds, as
  // many as fit in 300 ms (a busy machine runs fewer), and never fewer than 100.
  constexpr int max_rounds = 3000;
  constexpr int min_rounds = 100;
  struct Progress {
    std::vector<wb::testing::WakeRacer::Race> races;
    std::atomic<int> finished{0};
    std::atomic<bool> done{false};
    std::exception_ptr error;
  };
  wb::testing::WakeRacer racer;
  auto progress = std::make_shared<Progress>();
  for (int i = 0; i < max_rounds; ++i) progress->races.push_back(racer.race());

  std::thread runner([progress, budget_end = Clock::now() + 300ms] {
    try {
      for (auto& race : progress->races) {
        ex::block_on(std::move(race));
        int const finished = progress->finished.fetch_add(1, std::memory_order_relaxed) + 1;
        if (finished >= min_rounds && Clock::now() > budget_end) break;
      }
    } catch (...) {
      progress->error = std::current_exception();
    }
    progress->done.store(true, std::memory_order_release);
  });

  int seen = 0;
  auto last_change = Clock::now();
  while (!progress->done.load(std::memory_order_acquire)) {
    std::this_thread::sleep_for(5ms);
    int const now = progress->finished.load(std::memory_order_relaxed);
    if (now != seen) {
      seen = now;
      last_change = Clock::now();
    } else if (Clock::now() - last_change > 1000ms) {
      runner.detach();  // stuck in park() for good; it owns what it uses
      FAIL("round " << seen + 1 << " (woken from another thread at about the moment block_on went "
                    << "to sleep): " << lost_wake_up);
    }
  }
  runner.join();
  if (progress->error) std::rethrow_exception(progress->error);
  CHECK(progress->finished.load() >= min_rounds);
}

TEST_CASE("a waker kept by the future can still be woken after block_on returns") {
  auto kept = std::make_shared<std::optional<wb::Waker>>();
  auto out =
      run_with_deadline(1000ms, "block_on of a future that wakes itself once: " + lost_wake_up,
                        [kept] { return ex::block_on(KeepsItsWaker(kept)); });
  CHECK(out == 7);
  REQUIRE(kept->has_value());
  // block_on has returned and dropped its own handle: the kept clone alone holds the parker now.
  // If the clone did not count as a handle, this touches freed memory (AddressSanitizer says so).
  GuardedThread late_waker([kept] {
    kept->value().wake_by_ref();
    std::move(kept->value()).wake();
    kept->reset();
  });
  late_waker.join();
}
