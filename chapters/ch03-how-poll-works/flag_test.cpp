// Tests for wait_for_flag under the oracle executors, with the flag set from another thread.
// The exercise is included with angle brackets so the build decides whose version is compiled
// (yours, or the reference solution).
#include <atomic>
#include <chrono>
#include <exception>
#include <flag.hpp>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <wb/oracle/oracles.hpp>
#include <wb/testing/catch.hpp>
#include <wb/testing/event_in_poll.hpp>
#include <wb/testing/guarded_thread.hpp>

namespace oracle = wb::oracle;
using namespace std::chrono_literals;

namespace {

/// Sets the flag from its own thread after a delay, noting first that it is about to.
class SetLater {
 public:
  SetLater(std::shared_ptr<ex::Flag> flag, std::chrono::milliseconds delay)
      : about_to_set_(std::make_shared<std::atomic<bool>>(false)),
        returned_(std::make_shared<std::atomic<bool>>(false)),
        // `flag` is moved in, not copied: the copy would leave this constructor's parameter to
        // be released here after the thread may have run, and a shared_ptr's count is an atomic
        // whose release and acquire order set()'s write before everything this thread does
        // next, hiding an unlocked read from ThreadSanitizer.
        thread_([flag = std::move(flag), delay, about = about_to_set_, returned = returned_] {
          std::this_thread::sleep_for(delay);
          about->store(true);
          try {
            flag->set();
          } catch (...) {
            returned->store(true, std::memory_order_relaxed);
            throw;
          }
          returned->store(true, std::memory_order_relaxed);
        }) {}

  std::shared_ptr<std::atomic<bool>> about_to_set() const { return about_to_set_; }

  /// Waits until set() has returned on the other thread, without synchronizing with it: a
  /// relaxed atomic orders nothing, so afterwards only the flag's own lock orders what set() wrote
  /// with what a poll reads (which ThreadSanitizer then checks).
  void wait_until_set_returned() const {
    while (!returned_->load(std::memory_order_relaxed)) std::this_thread::yield();
  }

  /// Runs an oracle, then waits for the setter and rethrows a failure of either: the oracle's
  /// if it met a WB_TODO in the future, else the setter's (a WB_TODO in set() explains more than
  /// the oracle's "never woken").
  template <class Run>
  auto around(Run run) {
    std::exception_ptr not_started;
    try {
      auto outcome = run();
      thread_.join();
      return outcome;
    } catch (wb::NotStarted const&) {
      not_started = std::current_exception();
    } catch (...) {
      thread_.join();
      throw;
    }
    try {
      thread_.join();
    } catch (...) {  // NOLINT: the future's WB_TODO is the one to report
    }
    std::rethrow_exception(not_started);
  }

 private:
  std::shared_ptr<std::atomic<bool>> about_to_set_;
  std::shared_ptr<std::atomic<bool>> returned_;
  wb::testing::GuardedThread thread_;
};

/// Wraps the future under test and objects if it is Ready before anyone set the flag.
template <wb::Future F>
class ReadyOnlyOnceSet {
 public:
  using Output = void;
  ReadyOnlyOnceSet(F inner, std::shared_ptr<std::atomic<bool>> about_to_set)
      : inner_(std::move(inner)), about_to_set_(std::move(about_to_set)) {}

  wb::Poll<void> poll(wb::Context& cx) {
    auto result = inner_.poll(cx);
    if (result.is_ready() && !about_to_set_->load()) {
      throw wb::ContractViolation(
          "wait_for_flag was Ready although no thread had set the flag yet. Being polled does not "
          "mean the flag is set: executors poll for reasons of their own (a spurious poll). "
          "Check the flag on every poll and return Pending while it is clear.");
    }
    return result;
  }

 private:
  F inner_;
  std::shared_ptr<std::atomic<bool>> about_to_set_;
};

/// Polls the future under test and, while it is Pending, wakes itself `extra` more times: the way
/// a task that also waits for other things gets polled again before the flag is set.
template <wb::Future F>
class AlsoWokenByOthers {
 public:
  using Output = wb::output_of<F>;
  AlsoWokenByOthers(F inner, int extra) : inner_(std::move(inner)), extra_(extra) {}

  wb::Poll<Output> poll(wb::Context& cx) {
    auto result = inner_.poll(cx);
    if (result.is_pending() && extra_ > 0) {
      --extra_;
      cx.waker().wake_by_ref();
    }
    return result;
  }

 private:
  F inner_;
  int extra_;
};

oracle::Options exactly(std::size_t polls, std::string because) {
  oracle::Options options;
  // How long a Pending flag waits for set()'s wake: the setter thread sleeps 20–30 ms and then
  // must be scheduled, which on a loaded machine under ThreadSanitizer can take far longer. Only
  // a flag that never wakes uses the whole 3 s.
  options.deadline = 3s;
  options.expected_polls = polls;
  options.expected_polls_because = std::move(because);
  return options;
}

std::string const pending_until_set =
    "Pending at the first poll, then Ready at the poll after set() wakes it; it must not wake "
    "itself while it waits";

}  // namespace

TEST_CASE("a flag set before the first poll is Ready at once") {
  auto flag = std::make_shared<ex::Flag>();
  auto about_to_set = std::make_shared<std::atomic<bool>>(true);
  flag->set();
  oracle::parking(ReadyOnlyOnceSet(ex::wait_for_flag(flag), about_to_set),
                  exactly(1, "the flag is already set, so the first poll is Ready"));
}

TEST_CASE("wait_for_flag finishes when another thread sets the flag") {
  auto flag = std::make_shared<ex::Flag>();
  SetLater setter(flag, 20ms);
  auto out = setter.around([&] {
    return oracle::parking(ReadyOnlyOnceSet(ex::wait_for_flag(flag), setter.about_to_set()),
                           exactly(2, pending_until_set));
  });
  CHECK(out.wakes == 1);
}

TEST_CASE("wait_for_flag finishes under the spin executor while another thread sets it") {
  // The spin executor polls again and again without waiting for a wake, so polls run while the
  // other thread is inside set(). Nothing but flag->mutex_ orders a poll's read of the flag with
  // set()'s write: a read outside the lock is a data race (undefined behaviour, even for a
  // bool), which ThreadSanitizer reports — check runs this exercise under it once it passes.
  // Whether a poll happens to run during set() depends on the machine, so the test first makes
  // the one order that shows such a read every time: set() returns on the other thread before the
  // first poll, and the test learns it without synchronizing (wait_until_set_returned), so the
  // poll's read and set()'s write are ordered by flag->mutex_ or by nothing. The future is made
  // before the thread starts: copying the shared_ptr after the thread has let go of its copy
  // would order them too (its count is an atomic; see SetLater).
  {
    auto flag = std::make_shared<ex::Flag>();
    auto future = ex::wait_for_flag(flag);
    SetLater setter(flag, 0ms);
    setter.around([&] {
      setter.wait_until_set_returned();
      return oracle::spin(std::move(future),
                          exactly(1,
                                  "set() returned on another thread before the first poll, so "
                                  "the first poll is Ready"));
    });
  }
  // Then polls while set() runs. No poll limit: how many polls fit before the other thread runs
  // depends on the machine and its load, and a correct flag is Ready at the first poll after
  // set() returns.
  auto flag = std::make_shared<ex::Flag>();
  SetLater setter(flag, 0ms);
  setter.around([&] {
    oracle::Options options;
    options.max_polls = std::numeric_limits<std::size_t>::max();
    return oracle::spin(ReadyOnlyOnceSet(ex::wait_for_flag(flag), setter.about_to_set()), options);
  });
}

TEST_CASE("wait_for_flag wakes the newest waker when every poll brings a new one") {
  auto flag = std::make_shared<ex::Flag>();
  SetLater setter(flag, 30ms);
  setter.around([&] {
    return oracle::waker_swap(
        AlsoWokenByOthers(ReadyOnlyOnceSet(ex::wait_for_flag(flag), setter.about_to_set()), 3),
        exactly(5,
                "polled 4 times before the flag is set, each time with a new waker, then Ready "
                "at the poll after set() wakes the newest"));
  });
}

TEST_CASE("wait_for_flag checks the flag again on a poll nobody asked for") {
  auto flag = std::make_shared<ex::Flag>();
  SetLater setter(flag, 30ms);
  auto out = setter.around([&] {
    return oracle::spurious(ReadyOnlyOnceSet(ex::wait_for_flag(flag), setter.about_to_set()),
                            exactly(2, pending_until_set));
  });
  CHECK(out.spurious_polls >= 1);
}

TEST_CASE("wait_for_flag can be polled and woken from different threads") {
  auto flag = std::make_shared<ex::Flag>();
  SetLater setter(flag, 20ms);
  setter.around([&] {
    return oracle::threaded(ReadyOnlyOnceSet(ex::wait_for_flag(flag), setter.about_to_set()),
                            exactly(2, pending_until_set));
  });
}

TEST_CASE("wait_for_flag stays quiet after it is Ready") {
  auto flag = std::make_shared<ex::Flag>();
  SetLater setter(flag, 20ms);
  setter.around([&] {
    return oracle::after_ready(ReadyOnlyOnceSet(ex::wait_for_flag(flag), setter.about_to_set()),
                               exactly(2, pending_until_set));
  });
}

TEST_CASE("no wake-up is lost when the flag is set while wait_for_flag is being polled") {
  // Each round sets the flag at the same point of poll #1: the moment the future copies its
  // waker to keep it. A flag that checks and stores under one lock makes set() wait for that
  // lock; one that lets go of the lock in between lets set() run to the end right there.
  // The event is given 200 ms to run: a flag that holds its lock makes every round wait that
  // long, and a loaded machine (or ThreadSanitizer) still starts the event thread well inside it,
  // so the wrong flag is caught in the first round that runs set() in the gap.
  constexpr int rounds = 4;
  for (int round = 1; round <= rounds; ++round) {
    auto flag = std::make_shared<ex::Flag>();
    auto record = std::make_shared<wb::testing::EventInPollRecord>();
    oracle::Options options;
    options.deadline = 500ms;
    options.max_poll_time = 2s;  // the poll waits for set() on purpose
    try {
      oracle::parking(wb::testing::EventInPoll(
                          ex::wait_for_flag(flag), 1, [flag] { flag->set(); }, 200ms, record),
                      options);
    } catch (wb::ContractViolation const& violation) {
      if (!record->event_done_in_poll.load() || !record->pending_after_event.load()) throw;
      throw wb::ContractViolation(
          "the flag was set while poll #1 of wait_for_flag was still running, and the wake-up "
          "was lost (round " +
          std::to_string(round) + " of " + std::to_string(rounds) +
          "): the test called set() from another thread at the moment the future copied its "
          "waker, set() returned " +
          std::to_string(record->event_micros.load()) +
          " us later, before the poll did, and the poll then returned Pending; nothing woke the "
          "future in the 500 ms after. The flag and the waker change together, under one lock: "
          "poll checks is_set_ and stores the waker without letting go of flag->mutex_ in "
          "between, and set() sets is_set_ and takes the waker under the same lock, so set() "
          "comes either before the check (poll sees the flag) or after the store (set() finds "
          "the waker). This usually means one of: the waker is stored after the lock taken for "
          "the check was released, or without the lock; set() does not take the lock; set() "
          "takes the waker before it sets is_set_.\n(" +
          violation.what() + ")");
    }
  }
}

TEST_CASE("set wakes the future after marking the flag and outside the lock") {
  // The re-entrant-wake oracle polls again from inside set()'s wake(), before it returns, as an
  // inline executor does: that poll must find the flag set and the lock free.
  auto flag = std::make_shared<ex::Flag>();
  auto options = exactly(2,
                         "Pending at the first poll, then Ready at the poll the executor runs "
                         "from inside the wake() that set() calls");
  options.wake_poll_limit = 3s;   // only a poll that cannot finish waits this long
  options.stuck_poll_limit = 8s;  // the watchdog, after that verdict (the test limit is 10 s)
  auto out = oracle::reentrant_wake(ex::wait_for_flag(flag), options, [&] { flag->set(); });
  CHECK(out.wakes == 1);
}
