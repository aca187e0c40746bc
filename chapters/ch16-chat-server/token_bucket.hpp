// Exercise 3: the token bucket, the per-client rate limit — `rate` tokens a second flow into a
// bucket that holds at most `burst`; each line takes one, and a line that finds the bucket empty
// is refused. It reads only the time it is given, so in virtual time its answers are exact.
// You write: try_take (refill, then take a whole token if there is one)
// and refill (elapsed seconds × rate, never past the burst, never for time that went backwards).
// Read book/src/ch16-chat-server.md, then replace the WB_TODOs.
// Check your work with:  scripts/workbook check ch16
#pragma once

#include <algorithm>
#include <chrono>
#include <wb/core/contract.hpp>
#include <wb/time/clock.hpp>

namespace chat {

// ANCHOR: token_bucket
class TokenBucket {
 public:
  /// `rate` tokens per second (0: no limit at all), at most `burst`; it starts full at `now`.
  TokenBucket(double rate, double burst, wb::Instant now)
      : rate_(rate), burst_(std::max(burst, 1.0)), tokens_(burst_), last_(now) {}

  /// Takes a token if there is one at `now`; false if the line must be refused.
  bool try_take(wb::Instant now) {
    if (rate_ <= 0) return true;  // --rate-limit 0: no limit at all (given)
    (void)now;
    WB_TODO(
        "refill(now); with fewer than 1.0 tokens the line is refused: false; else take one "
        "(tokens_ -= 1.0) and return true");
  }

  /// The tokens in the bucket at `now`, a fraction of one included.
  double tokens(wb::Instant now) {
    refill(now);
    return tokens_;
  }

 private:
  void refill(wb::Instant now) {
    (void)now;
    WB_TODO(
        "if now is after last_: add the seconds since last_ (a double: "
        "std::chrono::duration<double>) times rate_ to tokens_, at most burst_, and set last_ = "
        "now. A now at or before last_ changes nothing");
  }

  double rate_;
  double burst_;
  double tokens_;
  wb::Instant last_;
};
// ANCHOR_END: token_bucket

}  // namespace chat
