// Exercise: lazy futures, predicted. For each snippet below, return the log you expect it to
// leave behind; the tests run the snippet for real and compare. Read recorder.hpp first (it says
// when each Event is logged) and book/src/ch01-why-async.md, then replace each WB_TODO with
// something like `return {Event::created, Event::destroyed};`.
// Check your work with:  scripts/workbook check ch01
#pragma once

#include <recorder.hpp>
#include <vector>
#include <wb/core/contract.hpp>

/// std::vector<Event> log;
/// {
///   Recorder future(log);
/// }
inline std::vector<Event> predicted_log_for_create_and_drop() {
  WB_TODO("return the events a Recorder logs when it is created and dropped without a poll");
}

/// std::vector<Event> log;
/// wb::block_on(Recorder(log, /*pending_polls=*/2));
inline std::vector<Event> predicted_log_for_block_on() {
  WB_TODO("return the events a Recorder that is Pending twice logs when wb::block_on runs it");
}

/// std::vector<Event> log;
/// {
///   Recorder future(log, /*pending_polls=*/1);
///   wb::Context cx(wb::Waker::noop());
///   (void)future.poll(cx);
/// }
inline std::vector<Event> predicted_log_for_poll_once_then_drop() {
  WB_TODO("return the events a Recorder logs when it is polled once and then dropped");
}

/// The same question asked of the standard library's std::async (no Recorder here):
///
/// std::vector<Event> log;
/// {
///   auto eager = std::async(std::launch::async, [&log] { log.push_back(Event::work_done); });
/// }
inline std::vector<Event> predicted_log_for_std_async_dropped() {
  WB_TODO("return what the log holds after the std::future from std::async is dropped unused");
}
