// Tests for the token bucket, in virtual time: each test hands the bucket the instants that a
// paused clock started at 0 s would show (wb::Instant{} + t), so every answer is exact and the
// same on every machine. The rates and times are chosen so that every count of tokens is a sum
// of halves and quarters, which a double holds exactly.
#include <chrono>
#include <sstream>
#include <string>
#include <token_bucket.hpp>
#include <wb/testing/catch.hpp>
#include <wb/time/clock.hpp>

using namespace std::chrono_literals;

namespace {

std::string seconds_text(wb::Duration duration) {
  std::ostringstream text;
  text << std::chrono::duration<double>(duration).count() << " s";
  return text.str();
}

/// A bucket, the virtual times it is asked at, and what it answered, written as a timeline:
/// "at 0 s: taken, refused; at 0.25 s: holds 1, taken".
class Trial {
 public:
  Trial(double rate, double burst) : bucket_(rate, burst, wb::Instant{}) {}

  bool take(wb::Duration at) {
    bool const taken = bucket_.try_take(wb::Instant{} + at);
    note(at, taken ? "taken" : "refused");
    return taken;
  }

  double tokens(wb::Duration at) {
    double const held = bucket_.tokens(wb::Instant{} + at);
    std::ostringstream text;
    text << "holds " << held;
    note(at, text.str());
    return held;
  }

  std::string const& timeline() const { return timeline_; }

 private:
  void note(wb::Duration at, std::string const& what) {
    if (!timeline_.empty() && at == last_) {
      timeline_ += ", " + what;
    } else {
      timeline_ += (timeline_.empty() ? "at " : "; at ") + seconds_text(at) + ": " + what;
    }
    last_ = at;
  }

  chat::TokenBucket bucket_;
  std::string timeline_;
  wb::Duration last_{};
};

/// What the bucket answered and what it should have, one timeline a line.
std::string answers(Trial const& trial, std::string const& expected) {
  return "\n  it answered:      " + trial.timeline() + "\n  the rule expects: " + expected + "\n";
}

}  // namespace

TEST_CASE("a full bucket lets a burst through at once and refuses the next line") {
  Trial trial(2, 3);
  for (int i = 0; i < 4; ++i) trial.take(0s);
  std::string const expected = "at 0 s: taken, taken, taken, refused";
  INFO(
      "a bucket of rate 2 a second and burst 3, made at 0 s, was asked for 4 tokens at 0 s "
      "(virtual time):"
      << answers(trial, expected)
      << "It starts full: the 3 tokens of the burst are taken and the 4th ask is "
         "refused, since no time has passed for a token to flow back. This usually means one of: "
         "a token is not taken (tokens_ -= 1.0) when the answer is yes; tokens are added at each "
         "call, not for the time that passed; a bucket with less than 1.0 token still says yes");
  CHECK(trial.timeline() == expected);
}

TEST_CASE("tokens flow back at the rate for the time that passed") {
  Trial trial(4, 2);
  trial.take(0s);
  trial.take(0s);
  trial.take(0s);
  trial.take(250ms);
  trial.take(250ms);
  trial.take(750ms);
  trial.take(750ms);
  trial.take(750ms);
  std::string const expected =
      "at 0 s: taken, taken, refused; at 0.25 s: taken, refused; at 0.75 s: taken, taken, "
      "refused";
  INFO("a bucket of rate 4 a second and burst 2 was emptied at 0 s (virtual time):"
       << answers(trial, expected)
       << "In 0.25 s, 4 × 0.25 = 1 token flows back, and in the 0.5 s from 0.25 s to 0.75 s 2 "
          "more: each "
          "stretch of time is counted once, from the last refill to now. This usually means one "
          "of: last_ is not moved to now after a refill, so the same time is added again at every "
          "call; the time is cut to whole seconds (or the tokens to an integer) and 0.25 s adds "
          "nothing; the rate is added per call instead of per second");
  CHECK(trial.timeline() == expected);
}

TEST_CASE("a fraction of a token is kept until it makes a whole one") {
  Trial trial(2, 1);
  trial.take(0s);
  for (int step = 1; step <= 8; ++step) trial.take(step * 125ms);
  trial.tokens(1000ms);
  std::string const expected =
      "at 0 s: taken; at 0.125 s: refused; at 0.25 s: refused; at 0.375 s: refused; at 0.5 s: "
      "taken; at 0.625 s: refused; at 0.75 s: refused; at 0.875 s: refused; at 1 s: taken, holds "
      "0";
  INFO(
      "a bucket of rate 2 a second and burst 1 gave its token at 0 s, then was asked every "
      "0.125 s (virtual time):"
      << answers(trial, expected)
      << "Each 0.125 s adds 0.25 token; four of them make the whole "
         "token taken at 0.5 s, and four more the one at 1 s. This usually means one of: the "
         "elapsed time is counted in whole seconds (duration_cast<seconds>) or whole "
         "milliseconds × rate / 1000 in integers, so every call adds 0; the tokens are kept in "
         "an integer, or rounded down");
  CHECK(trial.timeline() == expected);
}

TEST_CASE("the bucket never fills past its burst") {
  Trial trial(10, 3);
  for (int i = 0; i < 3; ++i) trial.take(0s);
  trial.tokens(10s);
  for (int i = 0; i < 4; ++i) trial.take(10s);
  std::string const expected =
      "at 0 s: taken, taken, taken; at 10 s: holds 3, taken, taken, taken, refused";
  INFO(
      "a bucket of rate 10 a second and burst 3 was emptied at 0 s and left alone for 10 s "
      "(virtual time):"
      << answers(trial, expected)
      << "10 s at 10 a second is 100 tokens, but the bucket holds at most its "
         "burst: 3 tokens, then the 4th ask is refused. Without the cap a client quiet for a while "
         "could send any number of lines at once. This usually means one of: the refill does not "
         "take std::min(burst_, ...); the cap is applied before the time's tokens are added, not "
         "after");
  CHECK(trial.timeline() == expected);
}

TEST_CASE("a time earlier than the last one adds no tokens") {
  Trial trial(2, 2);
  trial.take(1s);
  trial.take(1s);
  trial.take(500ms);
  trial.tokens(500ms);
  trial.tokens(1500ms);
  trial.take(1500ms);
  trial.take(1500ms);
  std::string const expected =
      "at 1 s: taken, taken; at 0.5 s: refused, holds 0; at 1.5 s: holds 1, taken, refused";
  INFO(
      "a bucket of rate 2 a second and burst 2 was emptied at 1 s, then asked at 0.5 s — "
      "earlier — and at 1.5 s (virtual time):"
      << answers(trial, expected)
      << "Time does not go back: an instant at or before "
         "the last refill adds nothing and takes nothing away, and the next refill counts from "
         "1 s, so at 1.5 s there is 1 token. This usually means one of: a negative elapsed time "
         "was added (a refill with no `now > last_` check takes tokens away); last_ was moved "
         "back to the earlier instant, so the time from 0.5 s to 1 s is counted twice");
  CHECK(trial.timeline() == expected);
}
