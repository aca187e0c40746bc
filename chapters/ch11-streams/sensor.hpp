// A sensor for the tests of compute_stats: a stream of Readings, each convertible to double,
// that may be Pending before every reading (woken at once, or from another thread a moment
// later, as readings from a device would be). Every Reading reports to a Census, which counts
// how many exist at the same time: a fold keeps a handful, a collect keeps them all.
// (Given, not an exercise.)
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>
#include <wb/core/future.hpp>
#include <wb/stream/stream.hpp>

/// How many Readings are alive, and the most there ever were at once.
struct Census {
  std::atomic<int> alive{0};
  std::atomic<int> peak{0};
  void born() {
    int const now = ++alive;
    int seen = peak.load();
    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
    }
  }
};

// ANCHOR: reading
/// One reading from the sensor. It converts to double, so code written for a stream of numbers
/// takes a stream of Readings too.
class Reading {
 public:
  Reading(double value, std::shared_ptr<Census> census)
      : value_(value), census_(std::move(census)) {
    census_->born();
  }
  Reading(Reading const& other) : value_(other.value_), census_(other.census_) { census_->born(); }
  Reading(Reading&& other) noexcept : value_(other.value_), census_(other.census_) {
    census_->born();
  }
  Reading& operator=(Reading const&) = default;
  ~Reading() { --census_->alive; }

  operator double() const noexcept { return value_; }  // NOLINT: a reading is a number

 private:
  double value_;
  std::shared_ptr<Census> census_;
};
// ANCHOR_END: reading

/// A stream of Readings: the given values, or `count` values made on the fly by `value_of(i)`.
class Sensor {
 public:
  using Item = Reading;
  enum class Gap { none, wake_at_once, wake_from_thread };

  explicit Sensor(std::vector<double> values, Gap gap = Gap::none)
      : count_(values.size()),
        value_of_([values = std::move(values)](std::size_t i) { return values[i]; }),
        gap_(gap) {}

  Sensor(std::size_t count, std::function<double(std::size_t)> value_of, Gap gap = Gap::none)
      : count_(count), value_of_(std::move(value_of)), gap_(gap) {}

  wb::Poll<std::optional<Reading>> poll_next(wb::Context& cx) {
    if (next_ == count_) return std::optional<Reading>();
    if (!gap_passed(cx)) return wb::pending;
    return std::optional<Reading>(Reading(value_of_(next_++), census_));
  }

  /// Shared with every Reading this sensor made; it outlives the sensor.
  std::shared_ptr<Census> census() const { return census_; }

 private:
  struct GapState {
    std::mutex mutex;
    bool over = false;
    std::optional<wb::Waker> waker;
  };

  bool gap_passed(wb::Context& cx) {
    switch (gap_) {
      case Gap::none:
        return true;
      case Gap::wake_at_once:
        if (std::exchange(waited_, false)) return true;
        waited_ = true;
        cx.waker().wake_by_ref();
        return false;
      case Gap::wake_from_thread:
        if (!gap_state_) {
          gap_state_ = std::make_shared<GapState>();
          gap_state_->waker = cx.waker();
          std::thread([state = gap_state_] {
            std::this_thread::sleep_for(std::chrono::microseconds(200));
            std::optional<wb::Waker> to_wake;
            {
              std::lock_guard lock(state->mutex);
              state->over = true;
              to_wake.swap(state->waker);
            }
            if (to_wake) std::move(*to_wake).wake();
          }).detach();
          return false;
        }
        {
          std::lock_guard lock(gap_state_->mutex);
          if (!gap_state_->over) {
            gap_state_->waker = cx.waker();
            return false;
          }
        }
        gap_state_.reset();
        return true;
    }
    return true;
  }

  std::size_t count_;
  std::function<double(std::size_t)> value_of_;
  Gap gap_;
  std::size_t next_ = 0;
  bool waited_ = false;
  std::shared_ptr<GapState> gap_state_;
  std::shared_ptr<Census> census_ = std::make_shared<Census>();
};

static_assert(wb::Stream<Sensor>);
