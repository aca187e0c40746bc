// Reference solution: the per-client rate limit — `rate` tokens a second flow into a bucket that
// holds at most `burst`; each line takes one, and a line that finds the bucket empty is refused.
// It reads only the time it is given, so in virtual time its answers are exact.
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

  /// The tokens in the bucket at `now`, a fraction of one included.
  double tokens(wb::Instant now) {
    refill(now);
    return tokens_;
  }

 private:
  void refill(wb::Instant now) {
    // Time that went backwards (an earlier `now` than the last) adds nothing and moves nothing:
    // otherwise the same stretch of time would be counted twice.
    if (now <= last_) return;
    // In seconds as a double: whole seconds, or an integer count of tokens, would drop the
    // fraction at every call, and a client heard every 100 ms would never earn a token back.
    std::chrono::duration<double> const elapsed = now - last_;
    tokens_ = std::min(burst_, tokens_ + elapsed.count() * rate_);
    last_ = now;  // the time up to now is counted: the next call adds only what comes after
  }

  double rate_;
  double burst_;
  double tokens_;
  wb::Instant last_;
};
// ANCHOR_END: token_bucket

}  // namespace chat
