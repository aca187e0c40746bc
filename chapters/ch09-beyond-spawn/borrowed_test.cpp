// Tests for the borrowing version: it spawns nothing, so it runs on any executor — the oracles,
// the spin and parking executors, and a runtime — and never copies a document. When its caller
// gives up, its lookups go with it: nothing is left to read a destroyed document.
#include <borrowed.hpp>
#include <chrono>
#include <cstddef>
#include <document.hpp>
#include <library.hpp>
#include <string>
#include <thread>
#include <vector>
#include <wb/core/contract.hpp>
#include <wb/exec/block_on.hpp>
#include <wb/exec/block_on_spin.hpp>
#include <wb/exec/runtime.hpp>
#include <wb/oracle/oracles.hpp>
#include <wb/oracle/virtual_time.hpp>
#include <wb/task/task.hpp>
#include <wb/testing/catch.hpp>
#include <wb/time/sleep.hpp>
#include <wb/time/timeout.hpp>
#include <word_count.hpp>

namespace oracle = wb::oracle;
using namespace std::chrono_literals;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

namespace {

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
          "the borrowing version called wb::spawn, so it runs only on a runtime. It needs no "
          "spawn: the lookups run inside its own task, in a wb::FuturesUnordered ("
          << what << ")");
    }
    throw;
  }
}

}  // namespace

TEST_CASE("the borrowing version counts the words of every document in order") {
  auto const docs = library();
  auto out = explained([&] { return oracle::virtual_time(word_counts_borrowed(docs)); });
  INFO(
      "the lookups finish shortest first, and a FuturesUnordered hands out results in the "
      "order they finish: put each count at the index of its document");
  CHECK(out.value == library_counts());
  CHECK(Document::reads_after_destruction() == 0);
}

TEST_CASE("the borrowing version copies no document") {
  auto const docs = library();
  Document::reset_counts();
  auto out = explained([&] { return oracle::virtual_time(word_counts_borrowed(docs)); });
  CHECK(out.value == library_counts());
  INFO("counting " << docs.size() << " documents made " << Document::copies()
                   << " copies. The lookups run inside this task and end before it does, so "
                      "they can borrow: pass each document by reference (Document const&)");
  CHECK(Document::copies() == 0);
}

TEST_CASE("the borrowing version runs the lookups at once") {
  auto const docs = library();
  auto out = explained([&] { return oracle::virtual_time(word_counts_borrowed(docs)); });
  CHECK(out.value == library_counts());
  INFO("counting took " << in_ms(out.elapsed)
                        << " ms of virtual time. The longest lookup takes 50 ms and all of them "
                           "one after another 155: push every lookup into the set before "
                           "awaiting any");
  CHECK(out.elapsed == 50ms);
}

TEST_CASE("the borrowing version runs on the spin and the parking executors") {
  auto const docs = library();
  CHECK(explained([&] { return wb::block_on_spin(word_counts_borrowed(docs)); }) ==
        library_counts());
  CHECK(explained([&] { return wb::block_on(word_counts_borrowed(docs)); }) == library_counts());
}

TEST_CASE("the borrowing version runs every lookup inside the calling task") {
  auto const docs = library();
  LookupLog::clear();
  auto runtime = wb::Runtime::builder().worker_threads(4).virtual_time().build();
  CHECK(runtime.block_on(word_counts_borrowed(docs)) == library_counts());
  auto const finished_on = LookupLog::finished_on();
  REQUIRE(finished_on.size() == docs.size());
  std::size_t elsewhere = 0;
  for (auto const& id : finished_on) elsewhere += id == std::this_thread::get_id() ? 0 : 1;
  INFO(elsewhere << " of " << docs.size()
                 << " lookups ran on a worker thread: they were spawned. The borrowing version "
                    "polls its lookups itself, inside the task that calls it");
  CHECK(elsewhere == 0);
}

TEST_CASE("a caller that gives up stops every lookup of the borrowing version") {
  Document::reset_counts();
  LookupLog::clear();
  bool gave_up = false;
  auto runtime = wb::Runtime::builder().virtual_time().build();
  runtime.block_on([](bool& gave_up) -> wb::Task<void> {
    std::vector<Document> docs = library();
    auto result = co_await wb::timeout(2ms, word_counts_borrowed(docs));
    gave_up = !result.has_value();
    docs.clear();  // keeps the buffer: a late read is noticed instead of crashing
    co_await wb::sleep(100ms);
  }(gave_up));
  REQUIRE(gave_up);
  INFO("the caller gave up after 2 ms and destroyed its documents, yet "
       << LookupLog::finished_on().size() << " lookups finished afterwards and "
       << Document::reads_after_destruction()
       << " reads of a destroyed document happened. Lookups that live in the set inside this "
          "task are destroyed with it: do not spawn them");
  CHECK(LookupLog::finished_on().empty());
  CHECK(Document::reads_after_destruction() == 0);
}

TEST_CASE("the borrowing version wakes the newest waker when every poll brings a new one") {
  auto const docs = library();
  auto out = explained([&] { return oracle::waker_swap(word_counts_borrowed(docs)); });
  CHECK(out.value == library_counts());
}

TEST_CASE("the borrowing version of no documents is an empty list") {
  std::vector<Document> const none;
  auto out = explained([&] { return oracle::spin(word_counts_borrowed(none)); });
  CHECK(out.value.empty());
}
