// wb::testing::duration_text — a duration the way a test's message shows it: "3 s", "1.25 s",
// "250 ms", "40 µs". Whole units only where they are exact, so a message never rounds a time a
// test compares exactly (virtual time) into one that looks equal to another.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace wb::testing {

inline std::string duration_text(std::chrono::nanoseconds d) {
  using namespace std::chrono;
  auto const sign = d < nanoseconds::zero() ? std::string("-") : std::string();
  if (d < nanoseconds::zero()) d = -d;
  auto const us = duration_cast<microseconds>(d).count();
  if (d != microseconds(us)) return sign + std::to_string(d.count()) + " ns";
  if (us % 1000 != 0) return sign + std::to_string(us) + " µs";
  auto const ms = us / 1000;
  if (ms < 1000) return sign + std::to_string(ms) + " ms";
  // Seconds, with the milliseconds as decimals without trailing zeros: 1.25 s, 3 s.
  auto text = sign + std::to_string(ms / 1000);
  if (auto rest = ms % 1000; rest != 0) {
    auto decimals = std::to_string(1000 + rest).substr(1);  // 250 -> "250", 5 -> "005"
    while (decimals.back() == '0') decimals.pop_back();
    text += "." + decimals;
  }
  return text + " s";
}

}  // namespace wb::testing
