// wb::dump_tasks and task names: a hang diagnosed from the list of live tasks, names and spawn
// sites, states and poll counts, the text format, and both executors.
#include "wb/task/dump_tasks.hpp"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "runtime_helpers.hpp"
#include "wb/core/yield_now.hpp"
#include "wb/exec/runtime.hpp"
#include "wb/sync/mpsc.hpp"
#include "wb/task/join_set.hpp"
#include "wb/task/spawn.hpp"
#include "wb/task/task.hpp"
#include "wb/testing/catch.hpp"
#include "wb/time/sleep.hpp"

using namespace std::chrono_literals;

namespace {

wb::Runtime virtual_runtime() { return wb::Runtime::builder().virtual_time().build(); }

wb::TaskInfo const* find(std::vector<wb::TaskInfo> const& tasks, std::string const& name) {
  for (auto const& task : tasks) {
    if (task.name == name) return &task;
  }
  return nullptr;
}

// Waits for a message that never comes: the sender is kept alive, and nobody sends.
wb::Task<void> wait_for_order(wb::mpsc::Receiver<int> orders) { (void)co_await orders.recv(); }

wb::Task<void> tick_every_second(int ticks) {
  for (int i = 0; i < ticks; ++i) co_await wb::sleep(1s);
}

}  // namespace

TEST_CASE("dump_tasks shows a task stuck on a channel nobody sends on as idle, ever longer") {
  auto runtime = virtual_runtime();
  auto [orders_tx, orders_rx] = wb::mpsc::channel<int>(4);
  auto stuck = runtime.spawn(wb::named("order_handler"), wait_for_order(std::move(orders_rx)));
  auto busy = runtime.spawn(wb::named("ticker"), tick_every_second(100));

  runtime.block_on(wb::sleep(10500ms));  // the program looks busy: the ticker ticks
  auto at_10s = wb::dump_tasks(runtime);
  runtime.block_on(wb::sleep(5s));
  auto at_15s = wb::dump_tasks(runtime);

  auto const* handler = find(at_15s, "order_handler");
  REQUIRE(handler != nullptr);
  INFO(wb::format_tasks(at_15s));
  CHECK(handler->state == wb::TaskState::idle);
  CHECK(handler->polls == 1);  // polled once, then never woken
  CHECK(handler->since_last_poll == 15500ms);
  CHECK(find(at_10s, "order_handler")->since_last_poll == 10500ms);  // and the gap grows
  auto const* ticker = find(at_15s, "ticker");
  REQUIRE(ticker != nullptr);
  CHECK(ticker->state == wb::TaskState::idle);
  CHECK(ticker->polls == 16);  // at 0 s, then once a second up to 15 s
  CHECK(ticker->since_last_poll == 500ms);
  CHECK(wb::format_tasks(at_15s).find("'order_handler' (dump_tasks_test.cpp:") !=
        std::string::npos);
  busy.abort();
  stuck.abort();
}

TEST_CASE("an unnamed task is known by the file and line that spawned it") {
  auto runtime = virtual_runtime();
  auto handle = runtime.spawn(tick_every_second(3));
  int const line = __LINE__ - 1;
  auto tasks = wb::dump_tasks(runtime);
  REQUIRE(tasks.size() == 1);
  CHECK(tasks[0].name.empty());
  CHECK(tasks[0].location == "dump_tasks_test.cpp:" + std::to_string(line));
  CHECK(tasks[0].state == wb::TaskState::scheduled);  // spawned, not yet polled
  CHECK(tasks[0].polls == 0);
  CHECK(wb::format_tasks(tasks) ==
        "task #1 (dump_tasks_test.cpp:" + std::to_string(line) + ") scheduled, never polled\n");
  runtime.block_on(std::move(handle));
  CHECK(wb::dump_tasks(runtime).empty());  // a finished task leaves the list
}

TEST_CASE("wb::spawn inside a runtime records its own call site, and a task sees itself running") {
  auto runtime = virtual_runtime();
  std::vector<wb::TaskInfo> seen;
  int line = 0;
  runtime.block_on([](std::vector<wb::TaskInfo>& seen, int& line) -> wb::Task<void> {
    auto handle =
        wb::spawn(wb::named("looker"), [](std::vector<wb::TaskInfo>& seen) -> wb::Task<void> {
          co_await wb::yield_now();
          seen = wb::dump_tasks();
        }(seen));
    auto other = wb::spawn(wb::sleep(1s));
    line = __LINE__ - 1;
    co_await std::move(handle);
    co_await std::move(other);
  }(seen, line));
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].id == 1);
  CHECK(seen[0].name == "looker");
  CHECK(seen[0].state == wb::TaskState::running);
  CHECK(seen[0].polls == 2);
  CHECK(seen[1].id == 2);
  CHECK(seen[1].location == "dump_tasks_test.cpp:" + std::to_string(line));
  CHECK(seen[1].state == wb::TaskState::idle);  // sleeping: polled once, waiting for its timer
}

TEST_CASE("dump_tasks outside a runtime says how to name one") {
  CHECK_THROWS_AS(wb::dump_tasks(), wb::ContractViolation);
}

TEST_CASE("a multi-threaded runtime lists its tasks to another thread while they run") {
  auto runtime = wb::Runtime::builder().worker_threads(2).virtual_time().build();
  wb::JoinSet<void> set;
  for (int i = 0; i < 3; ++i) set.spawn_on(runtime.scheduler(), wb::sleep(1h));
  auto tasks = wb::dump_tasks(runtime);
  REQUIRE(tasks.size() == 3);
  CHECK(tasks[0].id < tasks[1].id);
  CHECK(tasks[1].id < tasks[2].id);
  set.abort_all();
}

TEST_CASE("format_tasks writes times in the unit that reads best") {
  std::vector<wb::TaskInfo> tasks = {
      {3, "chat::client_loop", "server.cpp:42", wb::TaskState::idle, 17, 12500ms},
      {4, "", "server.cpp:50", wb::TaskState::scheduled, 1, 40ms},
      {5, "", "server.cpp:51", wb::TaskState::running, 2, 250us},
  };
  CHECK(wb::format_tasks(tasks) ==
        "task #3 'chat::client_loop' (server.cpp:42) idle, 17 polls, last poll 12.5 s ago\n"
        "task #4 (server.cpp:50) scheduled, 1 poll, last poll 40.0 ms ago\n"
        "task #5 (server.cpp:51) running, 2 polls, last poll 250 us ago\n");
}
