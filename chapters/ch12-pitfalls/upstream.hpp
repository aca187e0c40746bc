// The services the request handler calls (given, not an exercise): fetch() answers after a
// 100 ms round trip and expensive_parse() after 50 ms, on the clock of whatever runs them, and
// the shared results sit behind a CheckedMutex, a std::mutex that the tests can watch. fetch()
// also keeps a timeline of its calls, which is how the tests see whether they overlapped.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>
#include <wb/oracle/checked_mutex.hpp>
#include <wb/task/task.hpp>
#include <wb/time/clock.hpp>
#include <wb/time/sleep.hpp>
#include <wb/time/timer_driver.hpp>

inline constexpr std::chrono::milliseconds fetch_round_trip{100};
inline constexpr std::chrono::milliseconds parse_time{50};
/// The upstream's rate limit: after a batch of requests, 100 ms of quiet before the next one.
inline constexpr std::chrono::milliseconds rate_limit_pause{100};

// ANCHOR: results
/// What every request handler adds to, and other tasks read: guarded by `mutex`.
struct Results {
  wb::oracle::CheckedMutex mutex{"results"};  // a std::mutex the tests can watch
  std::vector<std::string> pages;
};
// ANCHOR_END: results

/// When each fetch started and ended, and how many ran at once at most.
class FetchTimeline {
 public:
  static void reset() {
    std::lock_guard lock(mutex());
    state() = {};
  }
  static void started(wb::Instant at) {
    std::lock_guard lock(mutex());
    auto& s = state();
    if (s.calls++ == 0) s.first_start = at;
    s.in_flight_max = std::max(s.in_flight_max, ++s.in_flight);
  }
  static void ended(wb::Instant at) {
    std::lock_guard lock(mutex());
    auto& s = state();
    --s.in_flight;
    s.last_end = at;
  }
  static std::size_t calls() { return snapshot().calls; }
  static std::size_t most_at_once() { return snapshot().in_flight_max; }
  /// From the first fetch's request to the last fetch's answer.
  static wb::Duration span() {
    auto s = snapshot();
    return s.last_end - s.first_start;
  }

 private:
  struct State {
    std::size_t calls = 0;
    std::size_t in_flight = 0;
    std::size_t in_flight_max = 0;
    wb::Instant first_start{};
    wb::Instant last_end{};
  };
  static State snapshot() {
    std::lock_guard lock(mutex());
    return state();
  }
  static std::mutex& mutex() {
    static std::mutex m;
    return m;
  }
  static State& state() {
    static State s;
    return s;
  }
};

// ANCHOR: services
/// How long the upstream takes to answer `url`: 100 ms, or N ms for a url that ends in "?ms=N"
/// (the tests use it to make pages answer in another order than they were asked for).
inline wb::Duration round_trip_of(std::string const& url) {
  auto const query = url.rfind("?ms=");
  if (query == std::string::npos) return fetch_round_trip;
  return std::chrono::milliseconds(std::stoi(url.substr(query + 4)));
}

/// The page at `url`, after a round trip of 100 ms (see round_trip_of).
inline wb::Task<std::string> fetch(std::string url) {
  FetchTimeline::started(wb::now());
  co_await wb::sleep(round_trip_of(url));
  FetchTimeline::ended(wb::now());
  co_return "<page of " + url + ">";
}

/// Parses every page given (50 ms of work on another service); the number of pages parsed.
inline wb::Task<std::size_t> expensive_parse(std::vector<std::string> pages) {
  co_await wb::sleep(parse_time);
  co_return pages.size();
}
// ANCHOR_END: services
