// Recorder — a future that writes down what happens to it: built, polled, finished its work,
// destroyed. The laziness exercise runs small snippets with it and compares the log with yours.
// You read this file; you do not edit it.
#pragma once

#include <string>
#include <utility>
#include <vector>
#include <wb/core/future.hpp>

// ANCHOR: recorder
/// What can happen to a Recorder, in the order the log records it.
enum class Event {
  created,    // the constructor ran
  polled,     // poll() was called (logged first thing in poll)
  work_done,  // the work happened: logged inside the poll that returns Ready
  destroyed,  // the destructor ran
};

/// A future whose "work" is to log Event::work_done. It answers Pending `pending_polls` times
/// (waking itself each time, so an executor polls it again), then does its work and is Ready.
class Recorder {
 public:
  using Output = void;

  explicit Recorder(std::vector<Event>& log, unsigned pending_polls = 0)
      : log_(&log), pending_polls_(pending_polls) {
    log_->push_back(Event::created);
  }

  wb::Poll<void> poll(wb::Context& cx) {
    log_->push_back(Event::polled);
    if (pending_polls_ > 0) {
      --pending_polls_;
      cx.waker().wake_by_ref();  // "poll me again": there is nothing to wait for
      return wb::pending;
    }
    log_->push_back(Event::work_done);
    return wb::Poll<void>::ready();
  }

  ~Recorder() {
    if (log_ != nullptr) log_->push_back(Event::destroyed);
  }

  // Moving a Recorder hands its log to the new object, and the husk it leaves behind logs
  // nothing, so one future gives one `created` and one `destroyed` however often it is moved.
  Recorder(Recorder&& other) noexcept
      : log_(std::exchange(other.log_, nullptr)), pending_polls_(other.pending_polls_) {}
  Recorder& operator=(Recorder&&) = delete;

 private:
  std::vector<Event>* log_;
  unsigned pending_polls_;
};
// ANCHOR_END: recorder

inline std::string to_string(Event event) {
  switch (event) {
    case Event::created:
      return "created";
    case Event::polled:
      return "polled";
    case Event::work_done:
      return "work_done";
    case Event::destroyed:
      return "destroyed";
  }
  return "(not an Event)";
}
