// Tests for the spawning version: it needs a runtime (wb::spawn), so every test runs it on one,
// mostly on virtual time. Copies are counted by Document; a document read after it was destroyed
// is noticed by Document too, which is how a task that borrowed instead of owning is caught.
#include <chrono>
#include <cstddef>
#include <document.hpp>
#include <library.hpp>
#include <spawned.hpp>
#include <thread>
#include <vector>
#include <wb/core/poll_fn.hpp>
#include <wb/exec/runtime.hpp>
#include <wb/task/task.hpp>
#include <wb/testing/catch.hpp>
#include <wb/time/sleep.hpp>
#include <wb/time/timeout.hpp>
#include <word_count.hpp>

using namespace std::chrono_literals;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

namespace {

long long in_ms(wb::Duration duration) { return duration_cast<milliseconds>(duration).count(); }

wb::Runtime one_thread() { return wb::Runtime::builder().virtual_time().build(); }
wb::Runtime four_threads() {
  return wb::Runtime::builder().worker_threads(4).virtual_time().build();
}

struct Counted {
  std::vector<std::size_t> counts;
  wb::Duration took{};
};

// Counts `docs` on `runtime`, timing the call on the runtime's clock.
Counted count_on(wb::Runtime runtime, std::vector<Document> const& docs) {
  Counted out;
  wb::Instant const start = runtime.now();
  out.counts = runtime.block_on(word_counts_spawned(docs));
  out.took = runtime.now() - start;
  return out;
}

void check_no_late_reads() {
  INFO("a lookup read a document after it was destroyed ("
       << Document::reads_after_destruction()
       << " reads). A spawned task must own its document: give it a copy (a coroutine parameter "
          "taken by value), not a reference into the caller's vector — and not a lambda capture, "
          "which dies with the lambda");
  CHECK(Document::reads_after_destruction() == 0);
}

}  // namespace

TEST_CASE("the spawning version counts the words of every document in order") {
  auto const docs = library();
  Document::reset_counts();
  auto out = count_on(one_thread(), docs);
  check_no_late_reads();
  INFO(
      "the lookups finish shortest first, so counts in the order they finished come out "
      "shuffled: await the JoinHandles in the order of the documents");
  CHECK(out.counts == library_counts());
}

TEST_CASE("the spawning version gives the same counts on one thread and on four") {
  auto const docs = library();
  Document::reset_counts();
  auto const on_four = count_on(four_threads(), docs).counts;
  auto const on_one = count_on(one_thread(), docs).counts;
  check_no_late_reads();
  CHECK(on_four == library_counts());
  CHECK(on_one == library_counts());
}

TEST_CASE("the spawning version runs the lookups at once") {
  auto const docs = library();
  auto out = count_on(four_threads(), docs);
  CHECK(out.counts == library_counts());
  INFO("counting took " << in_ms(out.took)
                        << " ms of virtual time. The longest lookup takes 50 ms and all of them "
                           "one after another 155: spawn every task first, then await the "
                           "handles");
  CHECK(out.took == 50ms);
}

TEST_CASE("the spawning version runs each lookup as a task on a worker thread") {
  auto const docs = library();
  LookupLog::clear();
  auto out = count_on(four_threads(), docs);
  CHECK(out.counts == library_counts());
  auto const finished_on = LookupLog::finished_on();
  REQUIRE(finished_on.size() == docs.size());
  std::size_t on_caller = 0;
  for (auto const& id : finished_on) on_caller += id == std::this_thread::get_id() ? 1 : 0;
  INFO(on_caller << " of " << docs.size()
                 << " lookups ran on the thread that called block_on. This version spawns each "
                    "lookup (wb::spawn), so on a multi-threaded runtime the worker threads run "
                    "them");
  CHECK(on_caller == 0);
}

TEST_CASE("the spawning version copies each document exactly once") {
  auto const docs = library();
  Document::reset_counts();
  auto out = count_on(one_thread(), docs);
  CHECK(out.counts == library_counts());
  INFO("counting " << docs.size() << " documents made " << Document::copies()
                   << " copies. Each spawned task needs one copy of its document, which it owns; "
                      "more is waste (a range-for by value copies each element before you do), "
                      "fewer means a task borrowed a document it may outlive");
  CHECK(Document::copies() == docs.size());
}

TEST_CASE("the spawned tasks own their documents and outlive a caller that gave up") {
  Document::reset_counts();
  LookupLog::clear();
  bool gave_up = false;
  one_thread().block_on([](bool& gave_up) -> wb::Task<void> {
    std::vector<Document> docs = library();
    auto result = co_await wb::timeout(2ms, word_counts_spawned(docs));
    gave_up = !result.has_value();
    // Destroys the documents but keeps the vector's buffer, so that a late read is noticed
    // instead of crashing.
    docs.clear();
    co_await wb::sleep(100ms);  // the detached tasks run on meanwhile
  }(gave_up));
  REQUIRE(gave_up);
  check_no_late_reads();
  INFO(
      "the caller gave up after 2 ms and destroyed its documents; the spawned tasks ran on, "
      "as detached tasks do, and "
      << LookupLog::finished_on().size() << " of 5 finished");
  CHECK(LookupLog::finished_on().size() == 5);
}

TEST_CASE("the spawned tasks own their documents from the moment they are spawned") {
  // The caller gives up at once: it polls word_counts_spawned once (which spawns every task),
  // drops it and destroys its documents, all before the spawned tasks first run. On one thread
  // they run only when the caller next waits, so a task that copies its document at its first
  // step copies one that is gone.
  Document::reset_counts();
  LookupLog::clear();
  one_thread().block_on([]() -> wb::Task<void> {
    std::vector<Document> docs = library();
    {
      auto counting = word_counts_spawned(docs);
      auto poll_once = wb::poll_fn([&counting](wb::Context& cx) -> wb::Poll<void> {
        (void)counting.poll(cx);
        return wb::Poll<void>::ready();
      });
      co_await poll_once;
    }              // dropped after one poll: its tasks are spawned and none has run yet
    docs.clear();  // keeps the buffer, so that a late read is noticed instead of crashing
    co_await wb::sleep(100ms);
  }());
  INFO(
      "the caller polled word_counts_spawned once, dropped it and destroyed its documents before "
      "any spawned task had run; then the tasks read "
      << Document::reads_after_destruction() << " times from destroyed documents and "
      << LookupLog::finished_on().size()
      << " of 5 finished. A spawned task may first run long after wb::spawn returns, so it "
         "must own its document from the moment it is made: a coroutine parameter taken by "
         "value is copied when the task is created. This usually means one of: a task that "
         "takes the document by reference and copies it inside its body (that copy happens at "
         "its first step, too late), or a task that keeps a reference or pointer to the "
         "caller's document");
  CHECK(Document::reads_after_destruction() == 0);
  CHECK(LookupLog::finished_on().size() == 5);
}

TEST_CASE("the spawning version of no documents is an empty list") {
  std::vector<Document> const none;
  CHECK(count_on(one_thread(), none).counts.empty());
}
