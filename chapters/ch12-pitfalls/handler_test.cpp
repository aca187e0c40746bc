// Tests for the fixed request handler. Each of the three bugs has a check of its own: the
// blocking watchdog times every poll, a lock check looks for a CheckedMutex still held when the
// task suspends, and virtual time shows whether the fetches overlapped.
#include <chrono>
#include <cstddef>
#include <handler.hpp>
#include <handler_as_found.hpp>
#include <string>
#include <utility>
#include <vector>
#include <wb/oracle/held_across_suspension.hpp>
#include <wb/oracle/oracles.hpp>
#include <wb/oracle/virtual_time.hpp>
#include <wb/testing/catch.hpp>

using namespace std::chrono_literals;
namespace oracle = wb::oracle;

static_assert(wb::Future<decltype(process_requests_as_found({}, std::declval<Results&>()))>);

namespace {

long long in_ms(wb::Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

std::vector<std::string> three_urls() { return {"/users", "/orders", "/stock"}; }

}  // namespace

TEST_CASE("the handler appends every page in order and parses all pages gathered so far") {
  Results results;
  results.pages.push_back("<page of /earlier>");
  FetchTimeline::reset();
  auto out = oracle::virtual_time(process_requests(three_urls(), results));
  CHECK(results.pages == std::vector<std::string>{"<page of /earlier>", "<page of /users>",
                                                  "<page of /orders>", "<page of /stock>"});
  INFO("expensive_parse must get every page in results.pages: the earlier ones and the new ones");
  CHECK(out.value == 4);
  CHECK(FetchTimeline::calls() == 3);
}

TEST_CASE("the handler appends the pages in the order of the urls when they answer out of order") {
  Results results;
  std::vector<std::string> const urls{"/slow?ms=90", "/fast?ms=30", "/middle?ms=60"};
  auto out = oracle::virtual_time(process_requests(urls, results));
  std::vector<std::string> const in_url_order{"<page of /slow?ms=90>", "<page of /fast?ms=30>",
                                              "<page of /middle?ms=60>"};
  std::string appended;
  for (auto const& page : results.pages) appended += page + " ";
  INFO(
      "the urls /slow?ms=90, /fast?ms=30 and /middle?ms=60 answer after 90, 30 and 60 ms, and "
      "the handler appended: "
      << appended
      << "— the pages belong in the order of the urls, whatever order they arrive in. This "
         "usually means the pages were gathered as they arrived (a FuturesUnordered, a JoinSet, "
         "spawned tasks pushing into a shared vector) instead of by position: wb::join_all "
         "gives each output at its future's place");
  CHECK(results.pages == in_url_order);
  CHECK(out.value == 3);
}

TEST_CASE("the handler never blocks the executor thread") {
  Results results;
  oracle::Options options;
  options.max_poll_time = 80ms;  // the rate limit is 100 ms: a poll that sleeps it is over this
  auto out = oracle::parking(process_requests(three_urls(), results), options);
  CHECK(out.value == 3);
}

TEST_CASE("the handler holds no lock across a co_await") {
  Results results;
  auto out = oracle::virtual_time(
      oracle::check_locks_at_suspension(process_requests(three_urls(), results)));
  CHECK(out.value == 3);
}

TEST_CASE("the handler runs the fetches together") {
  Results results;
  FetchTimeline::reset();
  oracle::virtual_time(process_requests(three_urls(), results));
  REQUIRE(FetchTimeline::calls() == 3);
  INFO("the 3 fetches took "
       << in_ms(FetchTimeline::span())
       << " ms of virtual time from the first request to the last answer, with at most "
       << FetchTimeline::most_at_once()
       << " in flight at once. Three independent 100 ms calls run together take "
          "100 ms: make all three fetch tasks first, then await them together "
          "(wb::join_all), instead of awaiting each before starting the next");
  CHECK(FetchTimeline::span() == 100ms);
  CHECK(FetchTimeline::most_at_once() == 3);
}

TEST_CASE("the handler takes 250 ms of virtual time for the fetches and the pause and the parse") {
  Results results;
  auto out = oracle::virtual_time(process_requests(three_urls(), results));
  INFO(
      "the handler took "
      << in_ms(out.elapsed)
      << " ms of virtual time; it should take 250: 100 fetching all three together, the 100 ms "
         "rate-limit pause, 50 parsing. More usually means fetches awaited one after another (or a "
         "parse per page); less means the pause passed no time on the runtime's clock "
         "(std::this_thread::sleep_for is invisible to it, and blocks the thread: co_await "
         "wb::sleep instead) or was left out");
  CHECK(out.elapsed == 250ms);
}

TEST_CASE("the handler leaves the results unlocked for the next one") {
  Results results;
  oracle::virtual_time(process_requests({"/a"}, results));
  oracle::virtual_time(process_requests({"/b", "/c"}, results));
  bool const free = results.mutex.try_lock();
  if (free) results.mutex.unlock();
  CHECK(free);
  CHECK(results.pages.size() == 3);
}
