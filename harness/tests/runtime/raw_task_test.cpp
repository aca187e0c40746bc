// The task state machine against a scheduler driven by hand, where a test can do what the
// executors in wb never do: shut a task down while another thread is polling it.
#include "wb/task/raw_task.hpp"

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "wb/exec/block_on.hpp"
#include "wb/task/spawn.hpp"
#include "wb/testing/catch.hpp"

namespace {

// A scheduler whose run queue and live tasks the test drives itself, from any thread.
class HandScheduler final : public wb::Scheduler {
 public:
  void schedule(wb::TaskRef task) override {
    std::lock_guard lock(mutex_);
    if (!closed_) queue_.push_back(std::move(task));
  }
  bool bind(wb::TaskRef task) override {
    std::lock_guard lock(mutex_);
    if (closed_) return false;
    live_.push(std::move(task));
    return true;
  }
  bool unbind(wb::TaskHeader& task) noexcept override {
    std::lock_guard lock(mutex_);
    return live_.remove(task);
  }

  /// Takes the next queued task (the caller runs it), or an empty reference.
  wb::TaskRef next() {
    std::lock_guard lock(mutex_);
    if (queue_.empty()) return {};
    wb::TaskRef task = std::move(queue_.front());
    queue_.pop_front();
    return task;
  }

  /// What an executor does when it goes away, here while its tasks may still be running.
  void shut_down() {
    std::deque<wb::TaskRef> queued;
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
      queued.swap(queue_);
    }
    queued.clear();
    for (;;) {
      wb::TaskRef task;
      {
        std::lock_guard lock(mutex_);
        task = live_.pop_front();
      }
      if (!task) break;
      task->shut_down();
    }
  }

 private:
  std::mutex mutex_;
  std::deque<wb::TaskRef> queue_;
  wb::TaskList live_;
  bool closed_ = false;
};

// What the test learns about one PausingFuture, shared with it.
struct Probe {
  std::atomic<bool> polling{false};  // inside poll, waiting for `resume`
  std::atomic<bool> resume{false};
  std::atomic<bool> in_poll{false};
  std::atomic<bool> destroyed{false};
  std::atomic<bool> destroyed_during_poll{false};
  std::thread::id destroyed_on;
};

// Its first poll stops halfway until the test says resume, then returns Pending (or 7).
class PausingFuture {
 public:
  using Output = int;
  explicit PausingFuture(std::shared_ptr<Probe> probe, bool finish = false)
      : probe_(std::move(probe)), finish_(finish) {}
  PausingFuture(PausingFuture&& other) noexcept
      : probe_(std::move(other.probe_)), finish_(other.finish_) {}
  ~PausingFuture() {
    if (!probe_) return;
    if (probe_->in_poll) probe_->destroyed_during_poll = true;
    probe_->destroyed_on = std::this_thread::get_id();
    probe_->destroyed = true;
  }
  wb::Poll<int> poll(wb::Context&) {
    Probe& probe = *probe_;
    probe.in_poll = true;
    probe.polling = true;
    while (!probe.resume) std::this_thread::yield();  // waits for the test, not for time
    probe.in_poll = false;
    if (finish_) return 7;
    return wb::pending;
  }

 private:
  std::shared_ptr<Probe> probe_;
  bool finish_;
};

}  // namespace

TEST_CASE("a task shut down while another thread polls it is dropped by that thread afterwards") {
  auto scheduler = std::make_shared<HandScheduler>();
  auto probe = std::make_shared<Probe>();
  auto handle = wb::spawn_on(*scheduler, PausingFuture(probe));

  std::thread::id poller_id;
  std::thread poller([&] {
    poller_id = std::this_thread::get_id();
    scheduler->next().leak()->run();  // run() consumes the queue's reference
  });
  while (!probe->polling) std::this_thread::yield();
  scheduler->shut_down();  // the poll is still going on
  bool const dropped_mid_poll = probe->destroyed.load();
  probe->resume = true;
  poller.join();

  INFO("shut_down() must not destroy a future that another thread is polling");
  CHECK_FALSE(dropped_mid_poll);
  CHECK_FALSE(probe->destroyed_during_poll);
  CHECK(probe->destroyed);  // by the poller, once its poll returned
  CHECK(probe->destroyed_on == poller_id);
  CHECK(handle.is_finished());
  CHECK_THROWS_AS(wb::block_on(std::move(handle)), wb::TaskAborted);
}

TEST_CASE("a task shut down while it waits on a run queue is never polled") {
  auto scheduler = std::make_shared<HandScheduler>();
  auto probe = std::make_shared<Probe>();
  auto handle = wb::spawn_on(*scheduler, PausingFuture(probe));
  wb::TaskRef queued = scheduler->next();  // an executor took it and is about to run it
  scheduler->shut_down();
  CHECK(probe->destroyed);
  queued.leak()->run();
  CHECK_FALSE(probe->polling);
  CHECK_THROWS_AS(wb::block_on(std::move(handle)), wb::TaskAborted);
}

TEST_CASE("a task whose poll finishes while its executor shuts down is released exactly once") {
  // The shutdown took the task off the live list while it was polled, so the poll's end must
  // not take it off again nor release the list's reference a second time (AddressSanitizer
  // would see the second release as a use-after-free).
  auto scheduler = std::make_shared<HandScheduler>();
  auto probe = std::make_shared<Probe>();
  auto handle = wb::spawn_on(*scheduler, PausingFuture(probe, /*finish=*/true));
  std::thread poller([&] { scheduler->next().leak()->run(); });
  while (!probe->polling) std::this_thread::yield();
  scheduler->shut_down();
  probe->resume = true;
  poller.join();
  CHECK_FALSE(probe->destroyed_during_poll);
  CHECK(wb::block_on(std::move(handle)) == 7);  // it finished before anyone cancelled it
}
