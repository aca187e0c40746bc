// The jobs the worker loop handles (given, not an exercise): each takes its `work` of time on
// the clock of whatever runs it. A census of started and finished jobs lets the tests see a job
// cut off halfway.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <wb/task/task.hpp>
#include <wb/time/sleep.hpp>

struct Job {
  int id = 0;
  wb::Duration work = std::chrono::milliseconds(1);
};

class JobCensus {
 public:
  static void reset() {
    started_ = 0;
    finished_ = 0;
  }
  static std::size_t started() { return started_; }
  static std::size_t finished() { return finished_; }

 private:
  friend wb::Task<void> handle_job(Job job);
  static inline std::atomic<std::size_t> started_{0};
  static inline std::atomic<std::size_t> finished_{0};
};

// ANCHOR: handle_job
/// Does the job: `job.work` of time, for example writing its result somewhere.
inline wb::Task<void> handle_job(Job job) {
  ++JobCensus::started_;
  co_await wb::sleep(job.work);
  ++JobCensus::finished_;
}
// ANCHOR_END: handle_job
