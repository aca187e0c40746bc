// Deliberately wrong: counts one poll per Pending answer and forgets the poll that is Ready.
#pragma once

#include <recorder.hpp>
#include <vector>

/// std::vector<Event> log;
/// {
///   Recorder future(log);
/// }
inline std::vector<Event> predicted_log_for_create_and_drop() {
  // Building a future runs none of its work; nobody polls it, so the work never happens.
  return {Event::created, Event::destroyed};
}

/// std::vector<Event> log;
/// wb::block_on(Recorder(log, /*pending_polls=*/2));
inline std::vector<Event> predicted_log_for_block_on() {
  // Pending twice, so two polls.
  return {Event::created, Event::polled, Event::polled, Event::work_done, Event::destroyed};
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
