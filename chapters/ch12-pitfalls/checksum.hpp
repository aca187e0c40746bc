// The CPU-heavy work of the checksum exercise (given, not an exercise): checksum() computes a
// 64-bit FNV-1a checksum of a buffer, then keeps its thread busy until `heavy_work_time` has
// passed since it started — standing in for a hash of a few hundred megabytes, so that it takes
// that long on every machine. It notes the thread it ran on and when, for the tests.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

inline constexpr std::chrono::milliseconds heavy_work_time{200};

/// Where and when the latest checksum() ran.
class ChecksumLog {
 public:
  struct Run {
    std::thread::id thread;
    std::chrono::steady_clock::time_point started;
    std::chrono::steady_clock::time_point finished;
  };
  static void reset() {
    std::lock_guard lock(mutex());
    last() = std::nullopt;
  }
  static std::optional<Run> latest() {
    std::lock_guard lock(mutex());
    return last();
  }
  static void record(Run run) {
    std::lock_guard lock(mutex());
    last() = run;
  }

 private:
  static std::mutex& mutex() {
    static std::mutex m;
    return m;
  }
  static std::optional<Run>& last() {
    static std::optional<Run> r;
    return r;
  }
};

// ANCHOR: checksum
/// The FNV-1a checksum of `data`, after heavy_work_time of work on the calling thread: a call
/// that blocks whatever thread makes it.
inline std::uint64_t checksum(std::vector<std::uint8_t> const& data) {
  auto const started = std::chrono::steady_clock::now();
  std::uint64_t hash = 14695981039346656037ull;
  for (std::uint8_t byte : data) {
    hash ^= byte;
    hash *= 1099511628211ull;
  }
  volatile std::uint64_t busy = hash;  // the rest of the "large buffer": CPU time, no sleeping
  while (std::chrono::steady_clock::now() - started < heavy_work_time) busy = busy * 31 + 7;
  ChecksumLog::record({std::this_thread::get_id(), started, std::chrono::steady_clock::now()});
  return hash;
}
// ANCHOR_END: checksum
