// Deliberately wrong: the physics loop as an async task. The tests must say why.
#pragma once

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
  // Mostly waiting, ten thousand times over: an idle task costs a few hundred bytes, not a stack.
  return Approach::async_tasks;
}

/// A command-line tool compresses one large file (several gigabytes) and exits. Nothing else
/// happens while it runs.
inline Approach compress_one_large_file() {
  // All computing, nothing to wait for: an executor would add overhead and no concurrency.
  return Approach::os_threads;
}

/// For each incoming request, a service queries five different databases, waits for all five
/// answers, and merges them into one response.
inline Approach query_five_databases_and_merge() {
  // Five waits at once: joined futures overlap, so the request takes as long as the slowest query.
  return Approach::async_tasks;
}

/// A game engine steps its physics simulation 60 times a second: every 16.7 ms, a few
/// milliseconds of number crunching that must finish before the frame is drawn.
inline Approach physics_loop_at_60_fps() {
  // One task per frame on the executor.
  return Approach::async_tasks;
}
