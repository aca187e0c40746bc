// wb::dump_tasks — every live task of a runtime with its name, where it was spawned, its state,
// how often it has been polled and how long ago its latest poll began: the first thing to look
// at when a program hangs. wb::format_tasks turns the list into lines for a log:
//
//   task #3 'chat::client_loop' (server.cpp:42) idle, 17 polls, last poll 12.5 s ago
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "wb/core/contract.hpp"
#include "wb/exec/runtime.hpp"
#include "wb/task/poll_stamp.hpp"
#include "wb/task/scheduler.hpp"
#include "wb/task/task_header.hpp"
#include "wb/time/clock.hpp"
#include "wb/time/timer_driver.hpp"

namespace wb {

enum class TaskState {
  idle,       // waiting for a wake-up: some waker must fire before it runs again
  scheduled,  // woken, waiting on a run queue for its turn
  running,    // being polled right now
  finished,   // done, failed or cancelled (only until its executor lets go of it)
};

struct TaskInfo {
  std::uint64_t id;      // 1, 2, 3 … as the runtime took the tasks in (spawn order)
  std::string name;      // given with wb::named, or empty
  std::string location;  // where it was spawned: "server.cpp:42"
  TaskState state;
  std::uint64_t polls;
  Duration since_last_poll;  // since its latest poll began; zero if it was never polled
};

/// The live tasks of `scheduler`, in spawn order, with their time since the latest poll as seen
/// at `now` on the runtime's clock. With real time the poll times come from a coarse clock,
/// once per batch of polls (see PollStamp): good to a few milliseconds; virtual time is exact.
inline std::vector<TaskInfo> dump_tasks(Scheduler& scheduler, Instant now) {
  std::vector<TaskInfo> tasks;
  scheduler.visit_live_tasks([&](TaskHeader const& task) {
    TaskName const name = task.name();
    char const* file = name.where.file ? name.where.file : "";
    char const* slash = std::strrchr(file, '/');
    std::uint32_t const polls = task.polls();
    Duration since = polls == 0 ? Duration::zero() : now - task.last_poll();
    tasks.push_back(TaskInfo{
        task.id(), name.name ? name.name : "",
        std::string(slash ? slash + 1 : file) + ":" + std::to_string(name.where.line),
        static_cast<TaskState>(task.phase()), polls,
        std::max(since, Duration::zero()),  // the coarse clock may lag the precise one
    });
  });
  std::sort(tasks.begin(), tasks.end(),
            [](TaskInfo const& a, TaskInfo const& b) { return a.id < b.id; });
  return tasks;
}

/// The live tasks of `runtime`. Call it from inside the runtime, or while no thread is in its
/// block_on; a multi-threaded runtime may also be asked from any other thread.
inline std::vector<TaskInfo> dump_tasks(Runtime& runtime) {
  return dump_tasks(runtime.scheduler(), runtime.now());
}

/// The live tasks of the runtime running on this thread (from inside block_on or a task).
inline std::vector<TaskInfo> dump_tasks() {
  Scheduler* scheduler = Scheduler::current();
  if (scheduler == nullptr) {
    throw ContractViolation(
        "wb::dump_tasks() was called outside a runtime: call it from inside block_on or a task, "
        "or name the runtime: wb::dump_tasks(runtime)");
  }
  return dump_tasks(*scheduler, TimerDriver::current().now());
}

inline char const* to_string(TaskState state) noexcept {
  switch (state) {
    case TaskState::idle:
      return "idle";
    case TaskState::scheduled:
      return "scheduled";
    case TaskState::running:
      return "running";
    case TaskState::finished:
      return "finished";
  }
  return "?";
}

/// "12.5 s", "40.0 ms", "250 us": three significant figures are plenty for a hang.
inline std::string format_duration(Duration elapsed) {
  using namespace std::chrono;
  char text[32];
  double const seconds = duration_cast<duration<double>>(elapsed).count();
  if (seconds >= 1.0) {
    std::snprintf(text, sizeof text, "%.1f s", seconds);
  } else if (seconds >= 1e-3) {
    std::snprintf(text, sizeof text, "%.1f ms", seconds * 1e3);
  } else {
    std::snprintf(text, sizeof text, "%lld us",
                  static_cast<long long>(duration_cast<microseconds>(elapsed).count()));
  }
  return text;
}

/// One line per task, each ending in a newline:
/// "task #3 'chat::client_loop' (server.cpp:42) idle, 17 polls, last poll 12.5 s ago".
inline std::string format_tasks(std::vector<TaskInfo> const& tasks) {
  std::string out;
  for (TaskInfo const& task : tasks) {
    out += "task #" + std::to_string(task.id);
    if (!task.name.empty()) out += " '" + task.name + "'";
    out += " (" + task.location + ") " + to_string(task.state) + ", ";
    if (task.polls == 0) {
      out += "never polled\n";
      continue;
    }
    out += std::to_string(task.polls) + (task.polls == 1 ? " poll" : " polls");
    out += ", last poll " + format_duration(task.since_last_poll) + " ago\n";
  }
  return out;
}

}  // namespace wb
