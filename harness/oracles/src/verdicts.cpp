#include "wb/oracle/verdicts.hpp"

#include <fmt/format.h>

namespace wb::oracle::verdict {

std::string never_woken(std::string_view oracle, std::size_t poll, std::chrono::milliseconds waited) {
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
      "poll count under the {} oracle: your future was Ready on poll #{}, but it should be Ready on "
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
      "{} oracle (blocking watchdog): poll #{} never returned ({} ms and counting), so the executor "
      "thread is stuck. poll() must never loop waiting for its condition or block: return Pending "
      "and arrange for the waker to be called instead.",
      oracle, poll, limit.count());
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

}  // namespace wb::oracle::verdict
