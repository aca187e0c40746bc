// Deliberately wrong: believes a future starts its work when it is built, as a C# Task does.
#pragma once

#include <recorder.hpp>
#include <vector>

/// std::vector<Event> log;
/// {
///   Recorder future(log);
/// }
inline std::vector<Event> predicted_log_for_create_and_drop() {
  // Eager intuition: the work starts as soon as the future exists.
  return {Event::created, Event::work_done, Event::destroyed};
}

/// std::vector<Event> log;
/// wb::block_on(Recorder(log, /*pending_polls=*/2));
inline std::vector<Event> predicted_log_for_block_on() {
  // Pending, Pending, then Ready: three polls, the work inside the last, then block_on drops it.
  return {Event::created, Event::polled,    Event::polled,
          Event::polled,  Event::work_done, Event::destroyed};
}

/// std::vector<Event> log;
/// {
///   Recorder future(log, /*pending_polls=*/1);
///   wb::Context cx(wb::Waker::noop());
///   (void)future.poll(cx);
/// }
inline std::vector<Event> predicted_log_for_poll_once_then_drop() {
  // The one poll answers Pending; dropping the future then cancels the rest of its work.
  return {Event::created, Event::polled, Event::destroyed};
}

/// The same question asked of the standard library's std::async (no Recorder here):
///
/// std::vector<Event> log;
/// {
///   auto eager = std::async(std::launch::async, [&log] { log.push_back(Event::work_done); });
/// }
inline std::vector<Event> predicted_log_for_std_async_dropped() {
  // std::async starts the job at once, and the std::future's destructor waits for it to finish.
  return {Event::work_done};
}
