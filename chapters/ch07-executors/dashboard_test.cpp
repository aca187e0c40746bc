// Tests for the dashboard: the same business logic run unchanged on every executor the runtime
// has — the spin executor, the parking one, and wb::Runtime on one thread or several, on real
// time or virtual time. Virtual time makes concurrency visible: three 100 ms calls that wait
// together finish at t = 100 ms exactly; one after the other, at t = 300 ms.
#include <chrono>
#include <dashboard.hpp>
#include <ostream>
#include <string>
#include <wb/core/contract.hpp>
#include <wb/exec/block_on.hpp>
#include <wb/exec/block_on_spin.hpp>
#include <wb/exec/runtime.hpp>
#include <wb/oracle/oracles.hpp>
#include <wb/oracle/virtual_time.hpp>
#include <wb/testing/catch.hpp>

namespace oracle = wb::oracle;
using namespace std::chrono_literals;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

std::ostream& operator<<(std::ostream& out, Dashboard const& dashboard) {
  out << "{name " << dashboard.name << ", unread " << dashboard.unread << ", orders [";
  for (auto const& order : dashboard.orders) out << order << ';';
  return out << "]}";
}

namespace {

Latencies all(wb::Duration latency) { return {latency, latency, latency}; }

Dashboard expected_for(int user_id) {
  return {profile_name(user_id), unread_count(user_id), recent_orders(user_id)};
}

long long in_ms(wb::Duration duration) { return duration_cast<milliseconds>(duration).count(); }

// Runs `run` and turns the runtime's "wb::spawn outside a runtime" into what it means here.
template <class Run>
auto explained(Run run) {
  try {
    return run();
  } catch (wb::ContractViolation const& violation) {
    std::string const what = violation.what();
    if (what.find("outside a runtime") != std::string::npos) {
      FAIL_CHECK(
          "the dashboard needs a wb::Runtime to run: it calls wb::spawn, which works only "
          "inside one, so the spin and parking executors cannot run it. Business logic that runs "
          "on any executor starts its calls together with wb::join instead. ("
          << what << ")");
    }
    throw;
  }
}

// A runtime on virtual time; the dashboard's finishing time read on its own clock.
wb::Duration virtual_time_taken(wb::Runtime runtime, Latencies latencies, Dashboard& out) {
  wb::Instant const start = runtime.now();
  out = runtime.block_on(load_dashboard(1, latencies));
  return runtime.now() - start;
}

}  // namespace

TEST_CASE("a simulated call answers after its latency on the virtual clock") {
  auto out = oracle::virtual_time(simulated_call(42, 100ms));
  CHECK(out.value == 42);
  INFO("the simulated call took " << in_ms(out.elapsed)
                                  << " ms of virtual time, not 100. Wait with co_await "
                                     "wb::sleep(latency): it waits on the clock of the executor "
                                     "that runs it. std::this_thread::sleep_for blocks the "
                                     "thread, and no executor's clock sees that time pass");
  CHECK(out.elapsed == 100ms);
}

TEST_CASE("a simulated call never blocks the executor thread") {
  oracle::Options options;
  options.max_poll_time = 100ms;
  auto out = oracle::parking(simulated_call(std::string("pong"), 120ms), options);
  CHECK(out.value == "pong");
}

TEST_CASE("the dashboard combines the three answers") {
  auto out = oracle::virtual_time(load_dashboard(2, all(10ms)));
  CHECK(out.value == expected_for(2));
}

TEST_CASE("the dashboard runs on the spin executor") {
  Dashboard const got = explained([] { return wb::block_on_spin(load_dashboard(1, all(10ms))); });
  CHECK(got == expected_for(1));
}

TEST_CASE("the dashboard runs on the parking executor") {
  Dashboard const got = explained([] { return wb::block_on(load_dashboard(1, all(10ms))); });
  CHECK(got == expected_for(1));
}

TEST_CASE("the dashboard runs on a single-threaded runtime") {
  auto runtime = wb::Runtime::builder().single_threaded().build();
  CHECK(runtime.block_on(load_dashboard(1, all(10ms))) == expected_for(1));
}

TEST_CASE("the dashboard runs on a multi-threaded runtime") {
  auto runtime = wb::Runtime::builder().worker_threads(2).build();
  CHECK(runtime.block_on(load_dashboard(1, all(10ms))) == expected_for(1));
}

TEST_CASE("three 100 ms calls joined take 100 ms of virtual time and not 300") {
  auto out = oracle::virtual_time(load_dashboard(1, all(100ms)));
  CHECK(out.value == expected_for(1));
  INFO("the dashboard took "
       << in_ms(out.elapsed)
       << " ms of virtual time; joined they take 100. Make all three calls first and await them "
          "together with wb::join: awaiting each before making the next runs them one after "
          "the other");
  CHECK(out.elapsed == 100ms);
}

TEST_CASE("the dashboard takes as long as its slowest call") {
  auto out = oracle::virtual_time(load_dashboard(1, Latencies{30ms, 120ms, 70ms}));
  CHECK(out.value == expected_for(1));
  INFO("with calls of 30, 120 and 70 ms the dashboard took "
       << in_ms(out.elapsed)
       << " ms of virtual time; waiting together, it takes as long as the slowest, 120");
  CHECK(out.elapsed == 120ms);
}

TEST_CASE("on virtual time the dashboard finishes at 100 ms on one thread and on four") {
  Dashboard one, four;
  auto const on_one = virtual_time_taken(
      wb::Runtime::builder().single_threaded().virtual_time().build(), all(100ms), one);
  auto const on_four = virtual_time_taken(
      wb::Runtime::builder().worker_threads(4).virtual_time().build(), all(100ms), four);
  CHECK(one == expected_for(1));
  CHECK(four == expected_for(1));
  INFO("on a single-threaded runtime the dashboard took "
       << in_ms(on_one) << " ms of virtual time, on four worker threads " << in_ms(on_four)
       << " ms; joined calls take 100 on both: concurrency does not need threads");
  CHECK(on_one == 100ms);
  CHECK(on_four == 100ms);
}

TEST_CASE("the dashboard gives the same answer on every executor") {
  Dashboard const expected = expected_for(2);
  auto const run = [] { return load_dashboard(2, all(5ms)); };
  CHECK(explained([&] { return wb::block_on_spin(run()); }) == expected);
  CHECK(explained([&] { return wb::block_on(run()); }) == expected);
  CHECK(wb::Runtime::builder().build().block_on(run()) == expected);
  CHECK(wb::Runtime::builder().worker_threads(2).build().block_on(run()) == expected);
  CHECK(wb::Runtime::builder().virtual_time().build().block_on(run()) == expected);
  CHECK(wb::Runtime::builder().worker_threads(2).virtual_time().build().block_on(run()) ==
        expected);
}

TEST_CASE("the dashboard never blocks the executor thread") {
  oracle::Options options;
  options.max_poll_time = 100ms;
  auto out = oracle::parking(load_dashboard(1, all(100ms)), options);
  CHECK(out.value == expected_for(1));
}
