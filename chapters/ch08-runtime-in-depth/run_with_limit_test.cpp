// Tests for run_with_limit. The jobs (jobs.hpp) sleep for a while inside a Gauge that counts how
// many run at the same time. Most tests run on virtual time, where a one-second job takes no
// real time at all and "how long did it take" has an exact answer; one runs on a real thread
// pool, and one drives run_with_limit's own future with an oracle executor. A randomized test
// checks the limit and the number running at every moment of random jobs, against the rule.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <jobs.hpp>
#include <memory>
#include <mutex>
#include <random>
#include <run_with_limit.hpp>
#include <string>
#include <thread>
#include <vector>
#include <wb/exec/runtime.hpp>
#include <wb/oracle/oracles.hpp>
#include <wb/task/scheduler.hpp>
#include <wb/testing/catch.hpp>
#include <wb/testing/duration_text.hpp>
#include <wb/testing/test_seed.hpp>
#include <wb/time/clock.hpp>
#include <wb/time/sleep.hpp>
#include <wb/time/timer_driver.hpp>

using namespace std::chrono_literals;

namespace {

/// One job per duration (in seconds); job i returns i.
std::vector<TimedJob> jobs_of(std::shared_ptr<Gauge> const& gauge, std::vector<int> seconds) {
  std::vector<TimedJob> jobs;
  for (int i = 0; i < static_cast<int>(seconds.size()); ++i) {
    jobs.push_back(TimedJob{gauge, i, std::chrono::seconds(seconds[i])});
  }
  return jobs;
}

std::vector<int> zero_to(int n) {
  std::vector<int> outputs;
  for (int i = 0; i < n; ++i) outputs.push_back(i);
  return outputs;
}

/// Runs run_with_limit on a single-threaded runtime with virtual time; reports the virtual
/// time it took.
struct VirtualRun {
  std::vector<int> outputs;
  wb::Duration took{};
};

VirtualRun run_virtually(std::vector<TimedJob> jobs, std::size_t limit) {
  auto runtime = wb::Runtime::builder().virtual_time().build();
  auto const start = runtime.now();
  auto outputs = runtime.block_on(run_with_limit(std::move(jobs), limit));
  return {std::move(outputs), runtime.now() - start};
}

// ANCHOR: explain
/// What `most` jobs at once, with a limit of `limit`, says about the code that ran them.
std::string explain(int most, int limit) {
  std::string const seen = std::to_string(most) + (most == 1 ? " job" : " jobs") +
                           " ran at once with a limit of " + std::to_string(limit);
  if (most == limit + 1) {
    return seen + ": one too many. The semaphore must start with exactly `limit` permits";
  }
  if (most > limit) {
    return seen +
           ": the limit had no effect. Each task must hold its permit for as long as its job "
           "runs — keep it in a named variable (auto permit = co_await ...); a co_await whose "
           "result is thrown away gives the permit back at once";
  }
  if (most < limit) {
    return seen +
           ": too few. Spawn every job before awaiting any JoinHandle; awaiting each one right "
           "after spawning it runs the jobs one at a time";
  }
  return seen;
}
// ANCHOR_END: explain

/// Every start and end of a job, with the (virtual) time it happened at.
struct Timeline {
  struct Event {
    wb::Instant at;
    int job;
    bool start;
  };
  void note(int job, bool start) {
    std::lock_guard lock(mutex);
    events.push_back(Event{wb::now(), job, start});
  }
  std::mutex mutex;
  std::vector<Event> events;
};

/// A job that notes its start and its end on a timeline, and sleeps in between.
struct RecordedJob {
  std::shared_ptr<Timeline> timeline;
  int job;
  int output;
  wb::Duration duration;
  wb::Task<int> operator()() const { return recorded_job(timeline, job, output, duration); }

  static wb::Task<int> recorded_job(std::shared_ptr<Timeline> timeline, int job, int output,
                                    wb::Duration duration) {
    timeline->note(job, true);
    co_await wb::sleep(duration);
    timeline->note(job, false);
    co_return output;
  }
};

/// The first moment (an instant with a start or an end) after which the number of jobs running
/// is not min(limit, jobs not finished yet); empty when every moment keeps to the rule.
std::string first_wrong_moment(std::vector<Timeline::Event> events, int jobs, int limit,
                               wb::Instant start) {
  std::stable_sort(events.begin(), events.end(),
                   [](auto const& a, auto const& b) { return a.at < b.at; });
  int running = 0;
  int finished = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events[i].start) {
      ++running;
    } else {
      --running;
      ++finished;
    }
    bool const last_at_this_moment = i + 1 == events.size() || events[i + 1].at != events[i].at;
    if (!last_at_this_moment) continue;
    int const should = std::min(limit, jobs - finished);
    if (running != should) {
      std::string const seen =
          "at " + wb::testing::duration_text(events[i].at - start) + " of virtual time " +
          std::to_string(running) + (running == 1 ? " job was" : " jobs were") + " running while " +
          std::to_string(jobs - finished) + " had not finished (limit " + std::to_string(limit) +
          ", so " + std::to_string(should) + " should run). ";
      if (running > should) {
        return seen +
               "Too many: this usually means one of: more permits than limit, a permit given "
               "back before its job ended (a permit that is not kept in a named variable), or "
               "one semaphore per task";
      }
      return seen +
             "Too few: when a job ends, its permit goes to a waiting job at once. This usually "
             "means one of: jobs started in groups of limit (waiting for the whole group before "
             "the next), a window that waits for the oldest job instead of whichever ends first, "
             "or a permit kept after its job ended";
    }
  }
  if (finished != jobs) {
    return std::to_string(finished) + " of the " + std::to_string(jobs) + " jobs finished";
  }
  return "";
}

}  // namespace

TEST_CASE("run_with_limit gives every output in the order of the jobs") {
  auto gauge = std::make_shared<Gauge>();
  // Later jobs finish first: job 0 takes 5 s, job 4 takes 1 s.
  auto run = run_virtually(jobs_of(gauge, {5, 4, 3, 2, 1}), 5);
  INFO("outputs: " << ::Catch::Detail::stringify(run.outputs)
                   << ". The jobs finished in the order 4, 3, 2, 1, 0, but the outputs must "
                      "come back in the order of the jobs: await the JoinHandles one by one, "
                      "in the order you spawned them, not as they finish");
  CHECK(run.outputs == zero_to(5));
}

TEST_CASE("run_with_limit never runs more than limit jobs at once") {
  auto gauge = std::make_shared<Gauge>();
  auto run = run_virtually(jobs_of(gauge, std::vector<int>(10, 1)), 3);
  INFO(explain(gauge->most.load(), 3));
  CHECK(gauge->most.load() <= 3);
  CHECK(run.outputs == zero_to(10));
}

TEST_CASE("run_with_limit runs limit jobs at once when it has that many") {
  auto gauge = std::make_shared<Gauge>();
  auto run = run_virtually(jobs_of(gauge, std::vector<int>(9, 1)), 3);
  INFO(explain(gauge->most.load(), 3)
       << ". Nine one-second jobs took " << wb::testing::duration_text(run.took)
       << " (3 s when three run at a time)");
  CHECK(gauge->most.load() == 3);
  CHECK(run.took == 3s);
}

TEST_CASE("with a limit of one the jobs run one after the other") {
  auto gauge = std::make_shared<Gauge>();
  auto run = run_virtually(jobs_of(gauge, {1, 2, 1}), 1);
  INFO(explain(gauge->most.load(), 1));
  CHECK(gauge->most.load() == 1);
  CHECK(run.took == 4s);
  CHECK(run.outputs == zero_to(3));
}

TEST_CASE("a limit larger than the number of jobs runs them all at once") {
  auto gauge = std::make_shared<Gauge>();
  auto run = run_virtually(jobs_of(gauge, {2, 2, 2, 2}), 10);
  INFO(gauge->most.load() << " of the 4 jobs ran at once with a limit of 10: all of them should");
  CHECK(gauge->most.load() == 4);
  CHECK(run.took == 2s);
}

TEST_CASE("run_with_limit of no jobs gives no outputs") {
  auto run = run_virtually({}, 3);
  CHECK(run.outputs.empty());
  CHECK(run.took == 0s);
}

TEST_CASE("run_with_limit runs each job as a task of its own on the worker threads") {
  auto gauge = std::make_shared<Gauge>();
  auto runtime = wb::Runtime::builder().worker_threads(2).virtual_time().build();
  auto outputs = runtime.block_on(run_with_limit(jobs_of(gauge, {1, 1, 1, 1}), 2));
  CHECK(outputs == zero_to(4));
  INFO(
      "a job ran on the thread that awaited run_with_limit: spawn each job with wb::spawn, so "
      "that it runs as a task of its own on the runtime's workers");
  CHECK_FALSE(gauge->ran_on(std::this_thread::get_id()));
}

TEST_CASE("run_with_limit holds to its limit on a real thread pool") {
  auto gauge = std::make_shared<Gauge>();
  std::vector<TimedJob> jobs;
  for (int i = 0; i < 12; ++i) jobs.push_back(TimedJob{gauge, i, 20ms});
  auto runtime = wb::Runtime::builder().worker_threads(4).build();
  auto outputs = runtime.block_on(run_with_limit(std::move(jobs), 3));
  INFO("on four worker threads: " << explain(gauge->most.load(), 3));
  CHECK(gauge->most.load() <= 3);
  CHECK(gauge->most.load() >= 2);
  CHECK(outputs == zero_to(12));
}

TEST_CASE("run_with_limit's own future passes the oracles while its tasks run on a pool") {
  auto check = [](auto oracle) {
    auto gauge = std::make_shared<Gauge>();
    auto runtime = wb::Runtime::builder().worker_threads(2).build();
    // The oracle polls on this thread: make the pool this thread's runtime, so wb::spawn and
    // the jobs' sleeps find it.
    wb::Scheduler::Enter in_pool(runtime.scheduler());
    wb::TimerDriver::Enter in_timers(runtime.timer_driver());
    std::vector<TimedJob> jobs;
    for (int i = 0; i < 6; ++i) jobs.push_back(TimedJob{gauge, i, 10ms});
    auto outcome = oracle(run_with_limit(std::move(jobs), 2));
    INFO(explain(gauge->most.load(), 2));
    CHECK(outcome.value == zero_to(6));
    CHECK(gauge->most.load() <= 2);
  };
  check([](auto f) { return wb::oracle::parking(std::move(f)); });
  check([](auto f) { return wb::oracle::waker_swap(std::move(f)); });
  check([](auto f) { return wb::oracle::spurious(std::move(f)); });
}

TEST_CASE("run_with_limit keeps limit jobs running at every moment while jobs are left") {
  // Random jobs (0 to 12 of them, 0.1 to 3 s each, a limit of 1 to 5), run on virtual time. At
  // every moment a job starts or ends, the number running must be min(limit, jobs not finished
  // yet): never more than the limit, and a freed permit goes to a waiting job at once. The seed
  // is new each run and printed with a failure.
  auto const seed = wb::testing::TestSeed::pick();
  std::mt19937_64 random(seed.value);
  for (int round = 1; round <= 100; ++round) {
    int const count = std::uniform_int_distribution<int>(0, 12)(random);
    int const limit = std::uniform_int_distribution<int>(1, 5)(random);
    auto timeline = std::make_shared<Timeline>();
    std::vector<RecordedJob> jobs;
    std::vector<int> expected;
    std::string shown;
    for (int i = 0; i < count; ++i) {
      auto const duration =
          std::chrono::milliseconds(100 * std::uniform_int_distribution<int>(1, 30)(random));
      int const output = std::uniform_int_distribution<int>(-99, 99)(random);
      jobs.push_back(RecordedJob{timeline, i, output, duration});
      expected.push_back(output);
      shown += (shown.empty() ? "" : ", ") + wb::testing::duration_text(duration);
    }
    auto runtime = wb::Runtime::builder().virtual_time().build();
    auto const start = runtime.now();
    auto outputs =
        runtime.block_on(run_with_limit(std::move(jobs), static_cast<std::size_t>(limit)));
    std::vector<Timeline::Event> events;
    {
      std::lock_guard lock(timeline->mutex);
      events = timeline->events;
    }
    auto const wrong = first_wrong_moment(events, count, limit, start);
    std::string const what = "round " + std::to_string(round) +
                             " of 100: " + std::to_string(count) + " jobs of " + shown +
                             " with a limit of " + std::to_string(limit);
    if (!wrong.empty()) {
      FAIL(what << ": " << wrong
                << "\nThe rule: never more than limit jobs at once, and while jobs wait, limit of "
                   "them run at every moment ("
                << seed.replay("ch08") << ")");
    }
    if (outputs != expected) {
      FAIL(what << ": the outputs were " << ::Catch::Detail::stringify(outputs) << " instead of "
                << ::Catch::Detail::stringify(expected)
                << ", the jobs' own outputs in the order of the jobs (" << seed.replay("ch08")
                << ")");
    }
  }
}
