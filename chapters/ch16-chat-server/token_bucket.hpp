// TokenBucket — the per-client rate limit: `rate` tokens a second flow into a bucket that holds
// at most `burst`; each line takes one, and a line that finds the bucket empty is refused. It
// reads the time it is given, so in virtual time its answers are exact. (Provided.)
#pragma once

#include <algorithm>
#include <chrono>
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
    if (rate_ <= 0) return true;
    refill(now);
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

  double tokens(wb::Instant now) {
    refill(now);
    return tokens_;
  }

 private:
  void refill(wb::Instant now) {
    if (now <= last_) return;
    std::chrono::duration<double> const elapsed = now - last_;
    tokens_ = std::min(burst_, tokens_ + elapsed.count() * rate_);
    last_ = now;
  }

  double rate_;
  double burst_;
  double tokens_;
  wb::Instant last_;
};
// ANCHOR_END: token_bucket

}  // namespace chat
