// Tests for the worker loop, on virtual time: a channel that always has a job waiting, an idle
// channel, and a job in progress when the shutdown comes. The shutdown is triggered by a second
// future joined with the worker, at a set moment of virtual time.
#include <chrono>
#include <cstddef>
#include <jobs.hpp>
#include <shutdown.hpp>
#include <tuple>
#include <wb/combinator/join.hpp>
#include <wb/oracle/virtual_time.hpp>
#include <wb/sync/mpsc.hpp>
#include <wb/task/task.hpp>
#include <wb/testing/catch.hpp>
#include <wb/time/sleep.hpp>
#include <wb/time/timeout.hpp>
#include <worker.hpp>

using namespace std::chrono_literals;
namespace oracle = wb::oracle;

namespace {

long long in_ms(wb::Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

struct Stopped {
  std::size_t handled = 0;
  wb::Duration at{};  // virtual time when run_worker returned
};

wb::Task<Stopped> worker_timed(wb::mpsc::Receiver<Job>& jobs, ShutdownSignal& shutdown) {
  wb::Instant const start = wb::now();
  std::size_t handled = co_await run_worker(jobs, shutdown);
  co_return Stopped{handled, wb::now() - start};
}

wb::Task<void> trigger_after(wb::Duration delay, ShutdownSignal& shutdown) {
  co_await wb::sleep(delay);
  shutdown.trigger();
}

// A channel already holding `count` jobs of `work` each; its sender is dropped, so it closes
// once drained.
wb::mpsc::Receiver<Job> queued_jobs(int count, wb::Duration work) {
  auto [tx, rx] = wb::mpsc::channel<Job>(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) REQUIRE(tx.try_send(Job{i, work}).has_value());
  return std::move(rx);
}

}  // namespace

TEST_CASE("the worker handles every job until the channel closes") {
  JobCensus::reset();
  auto jobs = queued_jobs(20, 1ms);
  ShutdownSignal shutdown;
  auto out = oracle::virtual_time(worker_timed(jobs, shutdown));
  CHECK(out.value.handled == 20);
  CHECK(JobCensus::finished() == 20);
  INFO("20 jobs of 1 ms each took " << in_ms(out.elapsed) << " ms of virtual time");
  CHECK(out.elapsed == 20ms);
}

TEST_CASE("the worker stops soon after the shutdown even when a job is always waiting") {
  JobCensus::reset();
  auto jobs = queued_jobs(1000, 1ms);
  ShutdownSignal shutdown;
  auto out =
      oracle::virtual_time(wb::join(worker_timed(jobs, shutdown), trigger_after(50ms, shutdown)));
  auto const stopped = std::get<0>(out.value);
  INFO("the shutdown was triggered at 50 ms of virtual time, but the worker stopped only at "
       << in_ms(stopped.at) << " ms, after " << stopped.handled
       << " jobs of 1 ms (1000 were queued). With a job always waiting, a select that polls "
          "jobs.recv() first finds it Ready every time and never gets to the shutdown branch: "
          "that is starvation. Poll shutdown.wait() first (wb::select_biased with the shutdown "
          "as the first argument), or use the fair wb::select, which rotates");
  CHECK(stopped.at <= 52ms);
  CHECK(stopped.handled <= 52);
}

TEST_CASE("the worker stops at the shutdown while it waits on an idle channel") {
  JobCensus::reset();
  auto [tx, jobs] = wb::mpsc::channel<Job>(4);  // open, and nothing ever comes
  ShutdownSignal shutdown;
  auto out = oracle::virtual_time(
      wb::timeout(1s, wb::join(worker_timed(jobs, shutdown), trigger_after(30ms, shutdown))));
  INFO(
      "the shutdown came at 30 ms of virtual time and at 1000 ms the worker was still waiting "
      "for a job on a channel where none ever comes. This usually means the loop looks at the "
      "shutdown only between waits (shutdown.triggered() before co_await jobs.recv()), so a "
      "shutdown that comes during the wait is missed: wait for both at once, with a select");
  REQUIRE(out.value.has_value());
  auto const stopped = std::get<0>(*out.value);
  CHECK(stopped.handled == 0);
  INFO("the shutdown came at 30 ms; the worker stopped at " << in_ms(stopped.at) << " ms");
  CHECK(stopped.at == 30ms);
}

TEST_CASE("the worker finishes the job in progress before it stops") {
  JobCensus::reset();
  auto jobs = queued_jobs(10, 3ms);
  ShutdownSignal shutdown;
  auto out =
      oracle::virtual_time(wb::join(worker_timed(jobs, shutdown), trigger_after(10ms, shutdown)));
  auto const stopped = std::get<0>(out.value);
  {
    INFO("the shutdown came at 10 ms, in the middle of the 4th job (3 ms each): "
         << JobCensus::started() << " jobs started and " << JobCensus::finished()
         << " finished. A job that started must finish: await handle_job outside the select, so "
            "that the shutdown is only looked at between jobs");
    CHECK(JobCensus::started() == JobCensus::finished());
    CHECK(stopped.handled == JobCensus::finished());
  }
  INFO("the shutdown came at 10 ms, during the 4th job (3 ms each), and the worker stopped at "
       << in_ms(stopped.at) << " ms after " << stopped.handled
       << " jobs: it should stop when the job in progress ends (12 ms), or at most one job later");
  CHECK(stopped.handled >= 4);
  CHECK(stopped.at <= 15ms);
}
