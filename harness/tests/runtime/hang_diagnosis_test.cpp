// The guide's 3 a.m. case study as a test: a service answers requests for a while, then stops,
// with nothing running. Its handlers share one connection behind a wb::Mutex; one handler takes
// it and waits for an answer that never comes. wb::dump_tasks shows every handler idle — waiting
// for a wake-up — and the one that has waited longest is where the trouble began.
#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "wb/exec/runtime.hpp"
#include "wb/sync/mpsc.hpp"
#include "wb/sync/mutex.hpp"
#include "wb/task/dump_tasks.hpp"
#include "wb/task/spawn.hpp"
#include "wb/task/task.hpp"
#include "wb/testing/catch.hpp"
#include "wb/time/sleep.hpp"

using namespace std::chrono_literals;

namespace {

// ANCHOR: service
struct Database {
  wb::Mutex<int> connection;  // one connection, shared by every handler
  std::pair<wb::mpsc::Sender<int>, wb::mpsc::Receiver<int>> lost_reply = wb::mpsc::channel<int>(1);
};

/// Reads the request, then queries the database on the shared connection. Request 7's query
/// never gets its reply — and the handler still holds the connection while it waits.
wb::Task<void> handle_request(std::shared_ptr<Database> db, int request) {
  co_await wb::sleep(5ms);  // read and parse the request
  auto connection = co_await db->connection.lock();
  if (request == 7) (void)co_await db->lost_reply.second.recv();  // the reply that never comes
  co_await wb::sleep(2ms);                                        // every other query
}

/// A request a second (the first at 0 s), each handled by a task of its own, as a server does.
wb::Task<void> accept_requests(std::shared_ptr<Database> db) {
  for (int request = 1;; ++request) {
    wb::spawn(wb::named("handler"), handle_request(db, request)).detach();  // runs on its own
    co_await wb::sleep(1s);
  }
}
// ANCHOR_END: service

}  // namespace

TEST_CASE("dump_tasks finds the handler that holds what all the other handlers wait for") {
  auto runtime = wb::Runtime::builder().virtual_time().build();
  auto db = std::make_shared<Database>();
  auto acceptor = runtime.spawn(wb::named("accept"), accept_requests(db));
  runtime.block_on(wb::sleep(600s + 500ms));  // ten minutes later, nobody gets an answer

  // ANCHOR: diagnose
  auto tasks = wb::dump_tasks(runtime);
  std::vector<wb::TaskInfo> handlers;
  std::copy_if(tasks.begin(), tasks.end(), std::back_inserter(handlers),
               [](wb::TaskInfo const& task) { return task.name == "handler"; });
  auto const oldest = std::max_element(
      handlers.begin(), handlers.end(),
      [](auto const& a, auto const& b) { return a.since_last_poll < b.since_last_poll; });
  // ANCHOR_END: diagnose

  INFO(wb::format_tasks(tasks));
  REQUIRE(oldest != handlers.end());
  // Requests 1 to 601 came at 0 s, 1 s … 600 s; 1 to 6 were answered, 7 and after never were.
  CHECK(handlers.size() == 601 - 6);
  CHECK(std::all_of(handlers.begin(), handlers.end(),
                    [](auto const& task) { return task.state == wb::TaskState::idle; }));
  CHECK(oldest->id == 7 + 1);                      // task #1 is the acceptor: request 7 is task #8
  CHECK(oldest->since_last_poll == 594s + 495ms);  // stuck since 6.005 s, with the connection
  auto const* accept = &tasks.front();
  CHECK(accept->name == "accept");
  CHECK(accept->polls == 601);  // alive and well: it polled once a second
  acceptor.abort();
}
