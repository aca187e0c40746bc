// EchoLog — where the echo server writes what happens ("[127.0.0.1:50312] Connected"), one line
// per event. Copies share one log, so every connection's task can hold a copy of its own, and
// lines may be written from many threads at once. The tests read it. (Given, not an exercise.)
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

// ANCHOR: echo_log
class EchoLog {
 public:
  EchoLog() : shared_(std::make_shared<Shared>()) {}

  /// Adds one line (without a newline) to the log.
  void write(std::string line) const {
    {
      std::lock_guard lock(shared_->mutex);
      shared_->lines.push_back(std::move(line));
    }
    shared_->added.notify_all();
  }

  /// Every line written so far, in order.
  std::vector<std::string> lines() const {
    std::lock_guard lock(shared_->mutex);
    return shared_->lines;
  }

  /// For tests: blocks the calling thread until `done(lines())` holds, for at most `patience`.
  /// True if it held.
  template <class Done>
  bool wait_until(Done done, std::chrono::milliseconds patience) const {
    std::unique_lock lock(shared_->mutex);
    return shared_->added.wait_for(lock, patience, [&] { return done(shared_->lines); });
  }

 private:
  struct Shared {
    std::mutex mutex;
    std::condition_variable added;
    std::vector<std::string> lines;
  };
  std::shared_ptr<Shared> shared_;
};
// ANCHOR_END: echo_log
