// Tests for run_pool, on virtual time. The test's source notes when each job is made; its handler
// notes when each job starts and ends (it sleeps the job's work time in between) and how many
// are in hand at once; a task of the test triggers the shutdown at a given moment. From these a
// test sees which jobs the pool took, how many ran at once, when run_pool returned, and whether
// anything ran after that.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>
#include <wb/exec/runtime.hpp>
#include <wb/signal/shutdown_trigger.hpp>
#include <wb/task/spawn.hpp>
#include <wb/testing/catch.hpp>
#include <wb/time/sleep.hpp>
#include <wb/time/timeout.hpp>
#include <wb/time/timer_driver.hpp>
#include <worker_pool.hpp>

using namespace std::chrono_literals;

namespace {

wb::Instant now() { return wb::TimerDriver::current().now(); }

using Times = std::map<std::size_t, wb::Duration>;  // job id -> virtual time since the start

// ANCHOR: job_log
/// What the source and the handler saw; every field is guarded by `mutex`.
struct JobLog {
  std::mutex mutex;
  wb::Instant start{};
  wb::Duration work{};  // how long each job takes in the handler
  Times made;           // when source(i) was called
  Times started;        // when the handler began job i
  Times finished;       // when the handler ended job i
  int in_hand = 0;
  int most_in_hand = 0;
};

struct Source {
  std::shared_ptr<JobLog> log;
  Job operator()(std::size_t id) const {
    std::lock_guard lock(log->mutex);
    log->made[id] = now() - log->start;
    return Job{id};
  }
};

wb::Task<void> handle_job(std::shared_ptr<JobLog> log, Job job) {
  wb::Duration work{};
  {
    std::lock_guard lock(log->mutex);
    log->started[job.id] = now() - log->start;
    log->most_in_hand = std::max(log->most_in_hand, ++log->in_hand);
    work = log->work;
  }
  co_await wb::sleep(work);
  std::lock_guard lock(log->mutex);
  log->finished[job.id] = now() - log->start;
  --log->in_hand;
}

struct Handler {
  std::shared_ptr<JobLog> log;
  wb::Task<void> operator()(Job job) const { return handle_job(log, job); }
};
// ANCHOR_END: job_log

/// One run: the pool's configuration, each job's work time, and when the shutdown comes.
struct Scenario {
  PoolConfig config;
  wb::Duration work{};
  std::optional<wb::Duration> shutdown_at;
  std::size_t worker_threads = 0;
};

/// What a run saw: at the moment run_pool returned, and after everything left had time to end.
struct Run {
  std::optional<PoolReport> report;
  std::optional<wb::Duration> returned_at;  // empty: run_pool never returned
  Times made, started, finished;            // in the end
  std::size_t started_at_return = 0;
  std::size_t finished_at_return = 0;
  int most_in_hand = 0;
};

constexpr auto hang_guard = 60s;  // far beyond the end of every scenario
constexpr auto linger = 30s;      // longer than any job: what was left running ends meanwhile

wb::Task<void> trigger_at(wb::signal::ShutdownTrigger shutdown, wb::Instant when) {
  co_await wb::sleep_until(when);
  shutdown.trigger();
}

wb::Task<void> play(Scenario scenario, std::shared_ptr<JobLog> log, std::shared_ptr<Run> run) {
  {
    std::lock_guard lock(log->mutex);
    log->start = now();
    log->work = scenario.work;
  }
  wb::signal::ShutdownTrigger shutdown;
  if (scenario.shutdown_at) {
    wb::spawn(trigger_at(shutdown, log->start + *scenario.shutdown_at)).detach();
  }
  Source const source{log};  // named: GCC 12 destroys a braced temporary in a co_await twice
  Handler const handler{log};
  auto pool = run_pool(scenario.config, source, handler, shutdown);
  auto report = co_await wb::timeout(hang_guard, std::move(pool));
  if (report) {
    std::lock_guard lock(log->mutex);
    run->report = *report;
    run->returned_at = now() - log->start;
    run->started_at_return = log->started.size();
    run->finished_at_return = log->finished.size();
  }
  co_await wb::sleep(linger);
  std::lock_guard lock(log->mutex);
  run->made = log->made;
  run->started = log->started;
  run->finished = log->finished;
  run->most_in_hand = log->most_in_hand;
}

Run play_scenario(Scenario scenario) {
  auto run = std::make_shared<Run>();
  {
    auto builder = wb::Runtime::builder().virtual_time();
    if (scenario.worker_threads > 0) builder.worker_threads(scenario.worker_threads);
    auto runtime = builder.build();
    runtime.block_on(play(scenario, std::make_shared<JobLog>(), run));
  }
  return *run;
}

std::string millis(wb::Duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

/// "0 to 3, 6, 8 to 9" for the ids 0 1 2 3 6 8 9.
std::string id_list(std::vector<std::size_t> ids) {
  if (ids.empty()) return "none";
  std::sort(ids.begin(), ids.end());
  std::string text;
  for (std::size_t i = 0; i < ids.size();) {
    std::size_t j = i;
    while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1) ++j;
    if (!text.empty()) text += ", ";
    text += std::to_string(ids[i]);
    if (j > i) text += (j == i + 1 ? ", " : " to ") + std::to_string(ids[j]);
    i = j + 1;
  }
  return text;
}

std::vector<std::size_t> keys(Times const& times) {
  std::vector<std::size_t> ids;
  for (auto const& entry : times) ids.push_back(entry.first);
  return ids;
}

std::vector<std::size_t> first_ids(std::size_t count) {
  std::vector<std::size_t> ids;
  for (std::size_t i = 0; i < count; ++i) ids.push_back(i);
  return ids;
}

/// What the test expects of a run with `workers` workers: jobs 0 .. accepted - 1 handled, and
/// run_pool back at `returns`.
struct Expect {
  int workers;
  std::size_t accepted;
  wb::Duration returns;
  std::optional<wb::Duration> shutdown_at;
};

// ANCHOR: explain_pool
/// What went wrong in a run, the first mistake only; empty when nothing did.
std::string explain(Run const& run, Expect const& expect) {
  std::string const shutdown =
      expect.shutdown_at ? " at " + millis(*expect.shutdown_at) : std::string();
  if (!run.returned_at) {
    return "run_pool had not returned after " + millis(hang_guard) + " of virtual time (" +
           std::to_string(run.started.size()) + " jobs started, " +
           std::to_string(run.finished.size()) +
           " finished). This usually means one of: the producer never lets its sender go, so "
           "the queue never closes and the workers wait for a job forever; the producer "
           "ignores the shutdown; run_pool awaits the workers before the producer is done";
  }
  if (expect.shutdown_at) {
    std::vector<std::size_t> late;
    for (auto const& entry : run.made) {
      if (entry.second > *expect.shutdown_at) late.push_back(entry.first);
    }
    if (!late.empty()) {
      return "the producer made jobs " + id_list(late) + " after the shutdown" + shutdown +
             ": it must stop as soon as the shutdown is triggered. Race each pause (and each "
             "send) against shutdown.wait() with wb::select_biased, the shutdown first";
    }
  }
  auto const started = keys(run.started);
  auto const expected = first_ids(expect.accepted);
  std::string const returned = "run_pool returned at " + millis(*run.returned_at);
  if (started.size() < expected.size()) {
    std::vector<std::size_t> dropped;
    for (std::size_t id : expected) {
      if (run.started.count(id) == 0) dropped.push_back(id);
    }
    return "jobs " + id_list(expected) + " were accepted into the queue" +
           (expect.shutdown_at ? " before the shutdown" + shutdown : std::string()) +
           ", but jobs " + id_list(dropped) + " never started (" + returned +
           "): they were dropped from the queue. This usually means one of: the workers watch "
           "the shutdown too and stop when it comes, leaving the queue behind; the receiver "
           "is closed or destroyed before the queue is empty. A graceful shutdown stops the "
           "producer only; the workers stop when the queue is closed and empty";
  }
  if (started != expected) {
    return "jobs " + id_list(started) + " were handled; jobs " + id_list(expected) +
           " were expected" +
           (expect.shutdown_at ? " (those accepted before the shutdown" + shutdown + ")"
                               : std::string()) +
           ". A job that is still waiting for room in a full queue when the shutdown comes is "
           "not accepted: race the send against shutdown.wait() too, so the shutdown cancels it";
  }
  if (run.finished.size() < run.started.size()) {
    return std::to_string(run.started.size() - run.finished.size()) + " of the " +
           std::to_string(run.started.size()) +
           " jobs that started never finished: they were cancelled, not drained. A worker "
           "finishes the job in its hands; nothing aborts it";
  }
  if (run.started_at_return < run.started.size() || run.finished_at_return < run.finished.size()) {
    std::vector<std::size_t> after;
    for (auto const& entry : run.started) {
      if (entry.second > *run.returned_at) after.push_back(entry.first);
    }
    return returned + " with " + std::to_string(run.finished.size() - run.finished_at_return) +
           " accepted jobs not yet finished; they ran on after it" +
           (after.empty() ? std::string()
                          : " (jobs " + id_list(after) + " even started after it)") +
           ". run_pool must await every worker before it returns: a JoinHandle that is "
           "destroyed lets its task run on, detached";
  }
  if (run.report &&
      (run.report->accepted != expect.accepted || run.report->finished != expect.accepted)) {
    return "run_pool reported " + std::to_string(run.report->accepted) + " jobs accepted and " +
           std::to_string(run.report->finished) + " finished; the handler saw " +
           std::to_string(expect.accepted) +
           " of each. Count a job as accepted when its send succeeds, and as finished when "
           "handle(job) is done";
  }
  if (run.most_in_hand > expect.workers) {
    return std::to_string(run.most_in_hand) + " jobs were handled at once with " +
           std::to_string(expect.workers) +
           " workers: a worker takes its next job only when it has finished the one in hand. "
           "This usually means one of: a task spawned per job, so nothing limits them; more "
           "workers than config.workers";
  }
  if (*run.returned_at != expect.returns) {
    wb::Duration last_end{};
    for (auto const& entry : run.finished) last_end = std::max(last_end, entry.second);
    std::string const seen = returned + " (its last job ended at " + millis(last_end) +
                             ", with at most " + std::to_string(run.most_in_hand) +
                             " handled at once)";
    if (last_end == *run.returned_at && run.most_in_hand < expect.workers) {
      return seen + "; with " + std::to_string(expect.workers) + " workers the last job ends at " +
             millis(expect.returns) +
             ". Spawn config.workers workers, each a loop of its own, "
             "all taking jobs from the one shared receiver";
    }
    return seen + "; it should return at " + millis(expect.returns) +
           ", as soon as the last job ends, not before and not later";
  }
  return "";
}
// ANCHOR_END: explain_pool

}  // namespace

TEST_CASE("twenty jobs on four workers are all handled and run_pool returns with the last one") {
  // Job i is made at 50 i ms and takes 200 ms: four workers keep up exactly, job i runs from
  // 50 i to 50 i + 200 ms, and the last one (19) ends at 1150 ms.
  auto run = play_scenario({PoolConfig{4, 100, 20, 50ms}, 200ms, std::nullopt});
  auto const problem = explain(run, {4, 20, 1150ms, std::nullopt});
  INFO(problem);
  CHECK(problem.empty());
  CHECK(run.finished.size() == 20);
}

TEST_CASE("at the shutdown the workers finish the jobs in hand and every job in the queue") {
  // Jobs take 500 ms: by the shutdown at 420 ms jobs 0 to 8 were made (one every 50 ms), 0 to 3
  // are in the workers' hands and 4 to 8 wait in the queue. Job 8 starts when job 4's worker is
  // free, at 1000 ms, and ends at 1500 ms.
  auto run = play_scenario({PoolConfig{4, 100, 20, 50ms}, 500ms, 420ms});
  auto const problem = explain(run, {4, 9, 1500ms, 420ms});
  INFO(problem);
  CHECK(problem.empty());
}

TEST_CASE("the producer stops at the shutdown and makes no job after it") {
  auto run = play_scenario({PoolConfig{4, 100, 20, 50ms}, 500ms, 420ms});
  auto const made = keys(run.made);
  INFO("the producer made jobs " << id_list(made)
                                 << "; the shutdown came at 420 ms, after job 8 (made at 400 ms) "
                                    "and before job 9 was due at 450 ms. Race the pause after "
                                    "each send against shutdown.wait(): when the shutdown wins, "
                                    "stop producing and let the sender go");
  CHECK(made == first_ids(9));
  CHECK((run.report && run.report->accepted == 9));
}

TEST_CASE("nothing runs after run_pool returns") {
  auto run = play_scenario({PoolConfig{4, 100, 20, 50ms}, 500ms, 420ms});
  REQUIRE(run.returned_at.has_value());
  std::vector<std::size_t> after;
  for (auto const& entry : run.finished) {
    if (entry.second > *run.returned_at) after.push_back(entry.first);
  }
  INFO("run_pool returned at "
       << millis(*run.returned_at) << " with " << run.started_at_return << " jobs started and "
       << run.finished_at_return << " finished; jobs " << id_list(after)
       << " ended after it. Await every worker (co_await each JoinHandle) before returning: the "
          "pool is done only when its last worker is");
  CHECK(after.empty());
  CHECK(run.finished_at_return == run.finished.size());
}

TEST_CASE("at most four jobs are handled at once however fast they come") {
  // Twenty jobs all at once (an interval of 0), 200 ms each: four at a time, five rounds.
  auto run = play_scenario({PoolConfig{4, 100, 20, 0ms}, 200ms, std::nullopt});
  {
    INFO("at most " << run.most_in_hand
                    << " job(s) were handled at once: with 20 jobs waiting, all 4 workers "
                       "should be busy");
    CHECK(run.most_in_hand >= 4);
  }
  auto const problem = explain(run, {4, 20, 1000ms, std::nullopt});
  INFO(problem);
  CHECK(problem.empty());
}

TEST_CASE("a full queue holds the producer back and the shutdown cancels its waiting send") {
  // A queue of 2 and 4 workers, twenty jobs at once, 200 ms each: 4 jobs in hand (0 to 3),
  // 2 in the queue (4 and 5), and job 6 made but waiting in a send for room. The shutdown at
  // 100 ms cancels that send: jobs 0 to 5 are handled, and the last ends at 400 ms.
  auto run = play_scenario({PoolConfig{4, 2, 20, 0ms}, 200ms, 100ms});
  auto const made_early = std::count_if(run.made.begin(), run.made.end(),
                                        [](auto const& entry) { return entry.second <= 100ms; });
  {
    INFO(made_early << " jobs had been made by the shutdown at 100 ms with a queue of 2 and 4 "
                       "workers; at most 7 can be: 4 in the workers' hands, 2 in the queue, 1 "
                       "waiting in a send for room. The queue did not hold the producer back. "
                       "This usually means one of: an unbounded channel; a bounded one made "
                       "with a capacity other than config.queue_capacity; a send that is not "
                       "awaited (try_send and keep going)");
    CHECK(made_early <= 7);
  }
  auto const problem = explain(run, {4, 6, 400ms, 100ms});
  INFO(problem);
  CHECK(problem.empty());
}

TEST_CASE("the pool drains its queue on a runtime with worker threads") {
  auto run = play_scenario({PoolConfig{4, 100, 20, 50ms}, 500ms, 420ms, 2});
  auto const problem = explain(run, {4, 9, 1500ms, 420ms});
  INFO("on two worker threads: " << problem);
  CHECK(problem.empty());
  CHECK(run.most_in_hand <= 4);
}
