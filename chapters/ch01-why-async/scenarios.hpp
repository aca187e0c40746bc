// Exercise: when is async the right tool? Four scenarios from chapter 1, answered as code.
// Read book/src/ch01-why-async.md, then replace each WB_TODO with `return Approach::...;`.
// Check your work with:  scripts/workbook check ch01
#pragma once

#include <wb/core/contract.hpp>

// ANCHOR: approach
/// The three ways a C++ program can arrange work that takes time.
enum class Approach {
  /// Async tasks on an executor: each piece of work is a future (or a coroutine) that returns
  /// Pending while it waits, and a few executor threads poll whichever tasks are ready to go on.
  async_tasks,
  /// Dedicated OS threads, or a thread pool with one thread per core: the work runs as ordinary
  /// blocking code with a stack of its own, and the kernel schedules it pre-emptively.
  os_threads,
  /// An async program that moves a blocking call or a CPU-heavy step off its executor onto a
  /// separate thread pool, and awaits the result, so the executor's threads keep serving the
  /// other tasks meanwhile.
  blocking_off_executor,
};
// ANCHOR_END: approach

/// A chat server holds 10,000 WebSocket connections open at once. Most of them are idle most of
/// the time; now and then a client sends a short message that the server forwards to others.
inline Approach websocket_server_10k_connections() {
  WB_TODO("return the Approach that fits a server with 10,000 concurrent WebSocket connections");
}

/// A command-line tool compresses one large file (several gigabytes) and exits. Nothing else
/// happens while it runs.
inline Approach compress_one_large_file() {
  WB_TODO("return the Approach that fits a CLI tool compressing one large file");
}

/// For each incoming request, a service queries five different databases, waits for all five
/// answers, and merges them into one response.
inline Approach query_five_databases_and_merge() {
  WB_TODO("return the Approach that fits a service querying five databases and merging results");
}

/// A game engine steps its physics simulation 60 times a second: every 16.7 ms, a few
/// milliseconds of number crunching that must finish before the frame is drawn.
inline Approach physics_loop_at_60_fps() {
  WB_TODO("return the Approach that fits a game engine's physics loop at 60 FPS");
}
