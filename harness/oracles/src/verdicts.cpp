#include "wb/oracle/verdicts.hpp"

#include <fmt/format.h>

namespace wb::oracle::verdict {

std::string oracle_name(std::string_view oracle) { return fmt::format("{} oracle", oracle); }

std::string watchdog_name(std::string_view oracle) {
  return fmt::format("{} oracle (blocking watchdog)", oracle);
}

std::string never_woken(std::string_view oracle, std::size_t poll,
                        std::chrono::milliseconds waited) {
  return fmt::format(
      "{} oracle: your future returned Pending but nothing will ever wake it: it would hang "
      "forever. Poll #{} returned Pending and no waker was called in the {} ms that followed. "
      "Before returning Pending, make sure something will call the waker from cx.waker() "
      "(or call cx.waker().wake_by_ref() yourself if you can make progress right away).",
      oracle, poll, waited.count());
}

std::string stale_waker(std::size_t poll, std::uint64_t stale_poll, std::size_t stale_wakes) {
  return fmt::format(
      "waker-swap oracle: your future woke an old waker (the one from poll #{}, {} wake{} in all) "
      "but never the waker from the latest poll (#{}). An executor may hand a different waker to "
      "every poll and only the newest is sure to reach it: store cx.waker() again on every poll "
      "(Waker::will_wake tells you when the copy can be skipped).",
      stale_poll, stale_wakes, stale_wakes == 1 ? "" : "s", poll);
}

std::string never_ready(std::string_view oracle, std::size_t polls) {
  return fmt::format(
      "{} oracle: your future was still Pending after {} polls, so it never finishes. Check the "
      "condition that should make it Ready.",
      oracle, polls);
}

std::string poll_count(std::string_view oracle, std::size_t polls, std::size_t expected,
                       std::string_view because) {
  auto why = because.empty() ? std::string() : fmt::format(" ({})", because);
  return fmt::format(
      "poll count under the {} oracle: your future was Ready on poll #{}, but it should be Ready "
      "on "
      "poll #{} exactly{}. {}",
      oracle, polls, expected, why,
      polls > expected ? "It returned Pending at least once too often."
                       : "It returned Ready too early.");
}

std::string slow_poll(std::string_view oracle, std::size_t poll, std::chrono::milliseconds took,
                      std::chrono::milliseconds limit) {
  return fmt::format(
      "{} oracle (blocking watchdog): poll #{} took {} ms, over the {} ms a poll may take. poll() "
      "must return quickly: never sleep, join a thread, wait for a lock or do blocking I/O inside "
      "it. Return Pending and arrange for the waker to be called instead.",
      oracle, poll, took.count(), limit.count());
}

std::string stuck_poll(std::string_view oracle, std::size_t poll, std::chrono::milliseconds limit) {
  return fmt::format(
      "{} oracle (blocking watchdog): poll #{} never returned ({} ms and counting), so the "
      "executor "
      "thread is stuck. poll() must never loop waiting for its condition or block: return Pending "
      "and arrange for the waker to be called instead.",
      oracle, poll, limit.count());
}

std::string woke_under_lock(std::size_t poll, std::chrono::milliseconds waited) {
  return fmt::format(
      "re-entrant-wake oracle: your future called wake() while holding a lock that its poll "
      "needs. The executor polled again from inside wake(), before wake() returned, as an inline "
      "executor does, and that poll (#{}) could not finish while wake() was running: it was still "
      "blocked after {} ms. On an executor that polls on the waking thread, that poll never "
      "returns (a std::mutex locked twice by one thread deadlocks) or throws "
      "resource_deadlock_would_occur. The rule: never wake while holding a lock — move the waker "
      "out under the lock, release the lock, then wake. This usually means one of: wake() is "
      "called inside the scope of a lock_guard (set() or the thread that completes the "
      "operation); a stored waker is replaced or dropped under the lock and that runs the "
      "executor's code; poll waits for something the waking code holds.",
      poll, waited.count());
}

std::string pending_inside_wake(std::size_t poll, std::chrono::milliseconds waited) {
  return fmt::format(
      "re-entrant-wake oracle: your future was woken, and the poll the executor ran from inside "
      "that wake() call (poll #{}, before wake() returned, as an inline executor does) returned "
      "Pending; nothing woke the future again in the {} ms after, so it would hang. When wake() "
      "is called, the change it announces must already be there for poll to see: an executor may "
      "poll at once. This usually means one of: wake() is called before the state is written "
      "(set the flag or `completed` first, then wake); the waker is taken out and woken before "
      "the state changes, so the waker the new poll stores is never woken; the state is written "
      "outside the lock that poll reads it under.",
      poll, waited.count());
}

std::string wake_after_ready(std::size_t wakes) {
  return fmt::format(
      "after-ready oracle: your future called its waker {} time{} in or after the poll that "
      "returned Ready. A finished future has nothing left to do: wake only when returning Pending.",
      wakes, wakes == 1 ? "" : "s");
}

std::string polled_after_ready(std::string_view what) {
  return fmt::format(
      "after-ready: {} was polled again after it returned Ready. A finished future must not be "
      "polled again: remember that it finished (and keep its output) instead.",
      what);
}

std::string held_across_suspension(std::vector<std::string> const& locks, std::size_t poll) {
  std::string named;
  for (std::size_t i = 0; i < locks.size(); ++i) {
    named +=
        fmt::format("{}`{}`", i == 0 ? "" : (i + 1 == locks.size() ? " and " : ", "), locks[i]);
  }
  return fmt::format(
      "held-across-suspension check: a lock on {} was still held when your task suspended at poll "
      "#{} (it was locked during that poll and still locked when the poll returned Pending): a "
      "lock held across a suspension point. While the task waits, everyone else who needs {} waits "
      "too; a "
      "task on the same thread that locks it deadlocks, and on a multi-threaded runtime the task "
      "may resume on another thread and unlock a std::mutex that thread does not own. Release "
      "the lock before the co_await (end the guard's {{ }} block first, or copy out what you "
      "need), or use a wb::Mutex, whose guard may be held across a co_await.",
      named, poll, locks.size() == 1 ? "it" : "them");
}

std::string broken_by_cancellation(std::size_t poll, long long at_ms, std::string_view broken) {
  return fmt::format(
      "cancel-at-every-step oracle: dropped after poll #{} (at {} ms of virtual time): {}. A "
      "future may be dropped at any co_await where it is Pending (a timeout, a select or a "
      "caller that gives up cancels it that way), so between two awaits the state must be whole. "
      "Make the change in one step with no co_await inside it, or undo a half-done change in a "
      "destructor (a guard dismissed once the whole operation is done).",
      poll, at_ms, broken);
}

std::string broken_after_completion(std::size_t polls, std::string_view broken) {
  return fmt::format(
      "cancel-at-every-step oracle: your future ran to the end (Ready at poll #{}) and still left "
      "things wrong: {}.",
      polls, broken);
}

std::string blocked_executor(std::size_t poll, std::chrono::milliseconds took,
                             std::chrono::milliseconds limit) {
  return fmt::format(
      "blocking watchdog: poll #{} of your task took {} ms, over the {} ms a poll may take, so the "
      "executor thread that polled it ran nothing else for {} ms: every other task on that thread "
      "waited. Slow work inside a task blocks its executor, whether it sleeps, waits or computes: "
      "co_await the async form of a wait, and hand blocking calls and heavy computation to "
      "wb::spawn_blocking.",
      poll, took.count(), limit.count(), took.count());
}

}  // namespace wb::oracle::verdict
