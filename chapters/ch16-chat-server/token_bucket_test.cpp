// Tests for the token bucket, in virtual time: each test hands the bucket the instants that a
// paused clock started at 0 s would show (wb::Instant{} + t), so every answer is exact and the
// same on every machine. The rates and times are chosen so that every count of tokens is a sum
// of halves and quarters, which a double holds exactly.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <token_bucket.hpp>
#include <wb/testing/catch.hpp>
#include <wb/testing/test_seed.hpp>
#include <wb/time/clock.hpp>

using namespace std::chrono_literals;

namespace {

std::string seconds_text(wb::Duration duration) {
  std::ostringstream text;
  text << std::chrono::duration<double>(duration).count() << " s";
  return text.str();
}

/// The answers of a bucket written as a timeline: "at 0 s: taken, refused; at 0.25 s: holds 1,
/// taken".
class Timeline {
 public:
  void note(wb::Duration at, std::string const& what) {
    if (!text_.empty() && at == last_) {
      text_ += ", " + what;
    } else {
      text_ += (text_.empty() ? "at " : "; at ") + seconds_text(at) + ": " + what;
    }
    last_ = at;
  }
  std::string const& text() const { return text_; }

 private:
  std::string text_;
  wb::Duration last_{};
};

std::string holds_text(double held) {
  std::ostringstream text;
  text << "holds " << held;
  return text.str();
}

/// A bucket, the virtual times it is asked at, and what it answered.
class Trial {
 public:
  Trial(double rate, double burst) : bucket_(rate, burst, wb::Instant{}) {}

  bool take(wb::Duration at) {
    bool const taken = bucket_.try_take(wb::Instant{} + at);
    timeline_.note(at, taken ? "taken" : "refused");
    return taken;
  }

  double tokens(wb::Duration at) {
    double const held = bucket_.tokens(wb::Instant{} + at);
    timeline_.note(at, holds_text(held));
    return held;
  }

  std::string const& timeline() const { return timeline_.text(); }

 private:
  chat::TokenBucket bucket_;
  Timeline timeline_;
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
  // Emptied at 0 s and again at 1 s, so that no answer here depends on the cap: a full bucket
  // refilled would add nothing, which hides how the time was counted.
  Trial trial(2, 2);
  trial.take(0s);
  trial.take(0s);
  trial.take(1s);
  trial.take(1s);
  trial.take(500ms);
  trial.tokens(500ms);
  trial.tokens(1500ms);
  trial.take(1500ms);
  trial.take(1500ms);
  std::string const expected =
      "at 0 s: taken, taken; at 1 s: taken, taken; at 0.5 s: refused, holds 0; at 1.5 s: holds "
      "1, taken, refused";
  INFO(
      "a bucket of rate 2 a second and burst 2 was emptied at 0 s, again at 1 s, then asked at "
      "0.5 s — earlier — and at 1.5 s (virtual time):"
      << answers(trial, expected)
      << "Time does not go back: an instant at or before "
         "the last refill adds nothing and takes nothing away, and the next refill counts from "
         "1 s, so at 1.5 s there is 1 token. This usually means one of: a negative elapsed time "
         "was added (a refill with no `now > last_` check takes tokens away); last_ was moved "
         "back to the earlier instant, so the time from 0.5 s to 1 s is counted twice");
  CHECK(trial.timeline() == expected);
}

namespace {

/// The bucket's rule in integers, for the randomized test: time in ticks of 1/8 s, tokens in
/// sixteenths of a token, so every count is exact — and so is the learner's double, since every
/// value it meets is a multiple of 1/16 (rates of 0.5 to 8 a second, times in steps of 0.125 s).
class BucketModel {
 public:
  BucketModel(std::int64_t sixteenths_a_tick, std::int64_t burst)
      : rate_(sixteenths_a_tick), burst_(burst * 16), tokens_(burst_) {}

  bool take(std::int64_t tick) {
    refill(tick);
    if (tokens_ < 16) return false;
    tokens_ -= 16;
    return true;
  }

  double tokens(std::int64_t tick) {
    refill(tick);
    return static_cast<double>(tokens_) / 16.0;
  }

 private:
  void refill(std::int64_t tick) {
    if (tick <= last_) return;  // time that went back changes nothing
    tokens_ = std::min(burst_, tokens_ + (tick - last_) * rate_);
    last_ = tick;
  }

  std::int64_t rate_;    // sixteenths of a token added each 1/8 s
  std::int64_t burst_;   // in sixteenths
  std::int64_t tokens_;  // in sixteenths
  std::int64_t last_ = 0;
};

}  // namespace

TEST_CASE("random asks at random virtual times get the answers of an exact model") {
  // Differential: 300 buckets of a random rate (0.5 to 8 a second) and burst (1 to 5), each
  // asked 24 times — try_take or tokens — at virtual times that stay, step on by 1/8 s to 5 s, or
  // now and then go back, against BucketModel above. The bucket is refilled at many moments,
  // full, empty and in between, so the cap and the refill are checked at each of them. The seed
  // is new each run and printed with a failure.
  auto const seed = wb::testing::TestSeed::pick();
  std::mt19937_64 random(seed.value);
  auto draw = [&random](int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(random);
  };
  std::array<double, 5> const rates{0.5, 1, 2, 4, 8};
  std::array<int, 4> const bursts{1, 2, 3, 5};
  constexpr wb::Duration tick = std::chrono::milliseconds(125);
  for (int round = 1; round <= 300; ++round) {
    auto const which_rate = static_cast<std::size_t>(draw(0, 4));
    double const rate = rates[which_rate];
    int const burst = bursts[static_cast<std::size_t>(draw(0, 3))];
    Trial trial(rate, burst);
    BucketModel model(std::int64_t{1} << which_rate, burst);  // 2 × rate sixteenths a tick
    Timeline expected;
    std::int64_t now = 0;
    for (int ask = 1; ask <= 24; ++ask) {
      int const step = draw(0, 19);
      if (step < 6) {
        // the same instant again
      } else if (step < 16) {
        now += draw(1, 4);
      } else if (step < 19) {
        now += draw(5, 40);
      } else {
        now = std::max<std::int64_t>(0, now - draw(1, 4));  // earlier than the last ask
      }
      wb::Duration const at = now * tick;
      bool agrees = true;
      if (draw(0, 4) == 0) {
        double const want = model.tokens(now);
        expected.note(at, holds_text(want));
        agrees = trial.tokens(at) == want;
      } else {
        bool const want = model.take(now);
        expected.note(at, want ? "taken" : "refused");
        agrees = trial.take(at) == want;
      }
      if (!agrees) {
        FAIL("random bucket " << round << " of 300: rate " << rate << " a second and burst "
                              << burst << ", made full at 0 s, asked at these virtual times:"
                              << answers(trial, expected.text())
                              << "The last answer differs. Each ask first adds rate × the "
                                 "seconds since the last refill (never for a time at or before "
                                 "it), at most up to the burst whatever the bucket held, then "
                                 "takes a whole token if there is one. This usually means one "
                                 "of: the cap limits the time or the tokens added rather than "
                                 "what the bucket holds (right only when it was empty); a token "
                                 "is taken without a refill first, so the time is counted later "
                                 "from an old last_; last_ is not moved, or moved back; the time "
                                 "or the tokens are rounded ("
                              << seed.replay("ch16") << ")");
      }
    }
  }
}
