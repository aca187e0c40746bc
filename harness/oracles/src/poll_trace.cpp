#include "wb/oracle/poll_trace.hpp"

#include <fmt/core.h>

#include <cstdlib>

namespace wb::oracle {

namespace {

constexpr std::size_t kept_events = 400;  // a hang can poll thousands of times
constexpr std::size_t shown_first = 30;   // what a learner reads: the start and the end
constexpr std::size_t shown_last = 20;

std::string thread_name(std::size_t number) {
  return number == 0 ? "the oracle's thread" : fmt::format("thread {}", number + 1);
}

}  // namespace

bool PollTrace::requested() {
  static bool const asked = [] {
    char const* value = std::getenv("WB_TRACE");
    return value != nullptr && *value != '\0' && std::string_view(value) != "0";
  }();
  return asked;
}

PollTrace::PollTrace() : start_(std::chrono::steady_clock::now()) {
  threads_.push_back(std::this_thread::get_id());
}

std::size_t PollTrace::thread_number(std::thread::id id) {
  for (std::size_t i = 0; i < threads_.size(); ++i) {
    if (threads_[i] == id) return i;
  }
  threads_.push_back(id);
  return threads_.size() - 1;
}

void PollTrace::poll_started(std::size_t number, std::uint64_t waker, bool spurious) {
  std::lock_guard lock(mutex_);
  running_ = number;
  if (events_.size() >= kept_events) {
    ++dropped_;
    return;
  }
  double const ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
  events_.push_back(
      {ms, Kind::poll, number, waker, 0, spurious, thread_number(std::this_thread::get_id()), 0});
}

void PollTrace::poll_ended(std::size_t number, bool ready) {
  std::lock_guard lock(mutex_);
  running_ = 0;
  if (events_.size() >= kept_events) {
    ++dropped_;
    return;
  }
  double const ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
  events_.push_back(
      {ms, Kind::answer, number, 0, 0, ready, thread_number(std::this_thread::get_id()), 0});
}

void PollTrace::woke(std::uint64_t waker, std::uint64_t newest, bool after_ready) {
  std::lock_guard lock(mutex_);
  if (events_.size() >= kept_events) {
    ++dropped_;
    return;
  }
  double const ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
  events_.push_back({ms, Kind::wake, 0, waker, newest, after_ready,
                     thread_number(std::this_thread::get_id()), running_});
}

std::vector<PollTrace::Event const*> PollTrace::shown() const {
  std::vector<Event const*> events;
  for (std::size_t i = 0; i < events_.size(); ++i) {
    if (i < shown_first || i + shown_last >= events_.size()) events.push_back(&events_[i]);
  }
  return events;
}

std::string PollTrace::text(std::string_view oracle) const {
  std::lock_guard lock(mutex_);
  std::string text = fmt::format("trace ({} oracle; times from the first poll):", oracle);
  std::size_t previous = 0;
  for (auto const* event : shown()) {
    auto const index = static_cast<std::size_t>(event - events_.data());
    if (index > previous + 1 && previous + 1 >= shown_first) {
      text += fmt::format("\n  … {} events left out …", index - previous - 1);
    }
    previous = index;
    text += fmt::format("\n  {:>9.3f} ms  ", event->ms);
    switch (event->kind) {
      case Kind::poll:
        text += fmt::format("poll #{} with waker #{}{}", event->poll, event->waker,
                            event->flag ? " (a poll nobody asked for)" : "");
        if (event->thread != 0) text += fmt::format(" on {}", thread_name(event->thread));
        break;
      case Kind::answer:
        text +=
            fmt::format("  poll #{} returned {}", event->poll, event->flag ? "Ready" : "Pending");
        break;
      case Kind::wake:
        text += fmt::format("waker #{} woken from {}", event->waker, thread_name(event->thread));
        if (event->during_poll != 0) text += fmt::format(", during poll #{}", event->during_poll);
        if (event->flag) {
          text += " — after Ready";
        } else if (event->waker != event->newest) {
          text += fmt::format(" — an old one: #{} is the newest", event->newest);
        }
        break;
    }
  }
  if (dropped_ > 0) text += fmt::format("\n  … and {} more events, not kept", dropped_);
  return text;
}

std::string PollTrace::mermaid(std::string_view oracle) const {
  std::lock_guard lock(mutex_);
  std::string text = "sequenceDiagram\n";
  text += fmt::format("  participant O as {} oracle\n  participant F as your future\n", oracle);
  for (std::size_t t = 1; t < threads_.size(); ++t) {
    text += fmt::format("  participant T{} as thread {}\n", t + 1, t + 1);
  }
  for (auto const* event : shown()) {
    switch (event->kind) {
      case Kind::poll:
        text += fmt::format("  O->>F: poll #{} (waker #{}){}\n", event->poll, event->waker,
                            event->flag ? ", unasked" : "");
        break;
      case Kind::answer:
        text += fmt::format("  F-->>O: {}\n", event->flag ? "Ready" : "Pending");
        break;
      case Kind::wake: {
        std::string const from = event->thread == 0 ? "F" : fmt::format("T{}", event->thread + 1);
        std::string note = event->flag                     ? " after Ready"
                           : event->waker != event->newest ? " (old)"
                                                           : "";
        text += fmt::format("  {}-)O: wake waker #{}{}\n", from, event->waker, note);
        break;
      }
    }
  }
  return text;
}

}  // namespace wb::oracle
