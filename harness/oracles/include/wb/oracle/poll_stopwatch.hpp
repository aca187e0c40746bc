// wb::oracle::PollStopwatch — how long one poll took, and whether it blocked its thread.
// A poll longer than the limit blocked its executor only if its thread waited in the kernel (a
// voluntary context switch: a sleep, a lock or a read that had to wait, a join) or spent the
// limit's worth of CPU itself (a busy wait). A poll that only waited for a CPU — a busy machine
// preempted the thread — did not block anything, and is not judged by the time it lost.
#pragma once

#include <sys/resource.h>
#include <sys/time.h>

#include <chrono>

namespace wb::oracle {

class PollStopwatch {
 public:
  using Clock = std::chrono::steady_clock;

  /// Starts timing on the calling thread, which must be the one that polls.
  PollStopwatch() : start_(Reading::now()), end_(start_) {}

  /// Starts again, from now.
  void start() { start_ = end_ = Reading::now(); }

  /// Ends timing (on the thread that started it).
  void stop() { end_ = Reading::now(); }

  /// Wall-clock time from start to stop.
  std::chrono::milliseconds took() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(end_.wall - start_.wall);
  }

  /// Whether the poll took longer than `limit` while it slept or kept the CPU busy.
  bool blocked_longer_than(std::chrono::milliseconds limit) const {
    if (took() <= limit) return false;
    // Without the counter (-1) the poll is judged by its time alone.
    bool const slept = start_.voluntary_switches < 0 || end_.voluntary_switches < 0 ||
                       end_.voluntary_switches > start_.voluntary_switches;
    bool const busy = end_.cpu - start_.cpu >= limit;
    return slept || busy;
  }

 private:
  struct Reading {
    Clock::time_point wall;
    std::chrono::nanoseconds cpu{0};
    long voluntary_switches = 0;

    // One system call: the thread's CPU time and its voluntary switches come together.
    static Reading now() {
      Reading reading;
      reading.wall = Clock::now();
      rusage usage{};
      if (::getrusage(RUSAGE_THREAD, &usage) != 0) {
        reading.voluntary_switches = -1;
        return reading;
      }
      auto const time = [](timeval value) {
        return std::chrono::seconds(value.tv_sec) + std::chrono::microseconds(value.tv_usec);
      };
      reading.cpu = time(usage.ru_utime) + time(usage.ru_stime);
      reading.voluntary_switches = usage.ru_nvcsw;
      return reading;
    }
  };

  Reading start_;
  Reading end_;
};

}  // namespace wb::oracle
