// wb::oracle verdicts — the sentences a learner reads when an oracle catches a broken rule.
// Kept in one place so that every oracle says the same thing about the same mistake.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wb::oracle::verdict {

/// The name a verdict of oracle `oracle` gives as its source: "parking" → "parking oracle".
std::string oracle_name(std::string_view oracle);
/// The same for the blocking watchdog inside oracle `oracle`: "spin oracle (blocking watchdog)".
std::string watchdog_name(std::string_view oracle);
/// The sources of the verdicts that belong to no executor oracle.
inline constexpr std::string_view after_ready_oracle = "after-ready oracle";
inline constexpr std::string_view waker_swap_oracle = "waker-swap oracle";
inline constexpr std::string_view held_across_suspension_check = "held-across-suspension check";
inline constexpr std::string_view blocking_watchdog = "blocking watchdog";

std::string never_woken(std::string_view oracle, std::size_t poll,
                        std::chrono::milliseconds waited);
std::string stale_waker(std::size_t poll, std::uint64_t stale_poll, std::size_t stale_wakes);
std::string never_ready(std::string_view oracle, std::size_t polls);
std::string poll_count(std::string_view oracle, std::size_t polls, std::size_t expected,
                       std::string_view because);
std::string slow_poll(std::string_view oracle, std::size_t poll, std::chrono::milliseconds took,
                      std::chrono::milliseconds limit);
std::string stuck_poll(std::string_view oracle, std::size_t poll, std::chrono::milliseconds limit);
std::string woke_under_lock(std::size_t poll, std::chrono::milliseconds waited);
std::string pending_inside_wake(std::size_t poll, std::chrono::milliseconds waited);
std::string wake_after_ready(std::size_t wakes);
std::string polled_after_ready(std::string_view what);
std::string held_across_suspension(std::vector<std::string> const& locks, std::size_t poll);
std::string broken_by_cancellation(std::size_t poll, long long at_ms, std::string_view broken);
std::string broken_after_completion(std::size_t polls, std::string_view broken);
std::string blocked_executor(std::size_t poll, std::chrono::milliseconds took,
                             std::chrono::milliseconds limit);

}  // namespace wb::oracle::verdict
