// The held-across-suspension check: a task that suspends while it holds a CheckedMutex is named,
// with the lock and the poll; a lock released before the co_await, one taken and released within
// a poll, and a wb::Mutex guard held across a co_await all pass.
#include "wb/oracle/held_across_suspension.hpp"

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "wb/core/yield_now.hpp"
#include "wb/oracle/virtual_time.hpp"
#include "wb/sync/mutex.hpp"
#include "wb/task/task.hpp"
#include "wb/testing/catch.hpp"
#include "wb/time/sleep.hpp"

using namespace std::chrono_literals;
namespace oracle = wb::oracle;

namespace {

struct Shared {
  oracle::CheckedMutex mutex{"results"};
  std::vector<int> items;
};

// Wrong on purpose: the guard lives across the co_await.
wb::Task<int> holds_guard_across_sleep(Shared& shared) {
  std::lock_guard lock(shared.mutex);
  shared.items.push_back(1);
  co_await wb::sleep(10ms);
  shared.items.push_back(2);
  co_return static_cast<int>(shared.items.size());
}

// Wrong on purpose: the lock is fine at the first await and held at the second.
wb::Task<int> holds_guard_at_second_await(Shared& shared) {
  {
    std::lock_guard lock(shared.mutex);
    shared.items.push_back(1);
  }
  co_await wb::yield_now();
  std::unique_lock lock(shared.mutex);
  co_await wb::yield_now();
  co_return 2;
}

// Right: the guard's block ends before the co_await.
wb::Task<int> scoped_guard(Shared& shared) {
  {
    std::lock_guard lock(shared.mutex);
    shared.items.push_back(1);
  }
  co_await wb::sleep(10ms);
  {
    std::lock_guard lock(shared.mutex);
    shared.items.push_back(2);
  }
  co_return static_cast<int>(shared.items.size());
}

// Right: a unique_lock unlocked before the co_await.
wb::Task<int> unlocks_before_await(Shared& shared) {
  std::unique_lock lock(shared.mutex);
  shared.items.push_back(1);
  lock.unlock();
  co_await wb::yield_now();
  lock.lock();
  co_return static_cast<int>(shared.items.size());
}

// Right: an async mutex is meant to be held across an await.
wb::Task<int> async_mutex_across_await(wb::Mutex<std::vector<int>>& items) {
  auto guard = co_await items.lock();
  guard->push_back(1);
  co_await wb::sleep(10ms);
  guard->push_back(2);
  co_return static_cast<int>(guard->size());
}

template <class Run>
std::string verdict_of(Run run) {
  try {
    run();
  } catch (wb::ContractViolation const& e) {
    return e.what();
  }
  return "no verdict: the check accepted the future";
}

}  // namespace

TEST_CASE("a lock_guard alive across a co_await is named with its lock and the poll") {
  Shared shared;
  auto verdict = verdict_of([&] {
    oracle::virtual_time(oracle::check_locks_at_suspension(holds_guard_across_sleep(shared)));
  });
  CHECK_THAT(verdict,
             Catch::Matchers::ContainsSubstring(
                 "a lock on `results` was still held when your task suspended at poll #1"));
  CHECK_THAT(verdict, Catch::Matchers::ContainsSubstring("a lock held across a suspension point"));
  CHECK_THAT(verdict, Catch::Matchers::ContainsSubstring("wb::Mutex"));
  INFO("the guard in the dropped frame must have unlocked the mutex");
  CHECK(oracle::checked_locks_held() == 0);
  CHECK(shared.mutex.try_lock());
  shared.mutex.unlock();
}

TEST_CASE("the held-across-suspension oracle finds the lock at the poll where it is held") {
  Shared shared;
  auto verdict =
      verdict_of([&] { oracle::held_across_suspension(holds_guard_at_second_await(shared)); });
  CHECK_THAT(verdict, Catch::Matchers::ContainsSubstring("held-across-suspension check"));
  CHECK_THAT(verdict, Catch::Matchers::ContainsSubstring("suspended at poll #2"));
}

TEST_CASE("locks released before every co_await pass the held-across-suspension check") {
  Shared shared;
  CHECK(oracle::virtual_time(oracle::check_locks_at_suspension(scoped_guard(shared))).value == 2);
  Shared other;
  CHECK(oracle::held_across_suspension(unlocks_before_await(other)).value == 1);
  CHECK(oracle::checked_locks_held() == 0);
}

TEST_CASE("a wb::Mutex guard held across a co_await is not a held lock") {
  wb::Mutex<std::vector<int>> items;
  CHECK(oracle::virtual_time(oracle::check_locks_at_suspension(async_mutex_across_await(items)))
            .value == 2);
}

TEST_CASE(
    "a checked mutex works with lock_guard, unique_lock and try_lock and counts its holders") {
  oracle::CheckedMutex first{"first"};
  oracle::CheckedMutex second{"second"};
  {
    std::lock_guard a(first);
    std::unique_lock b(second, std::try_to_lock);
    REQUIRE(b.owns_lock());
    CHECK(oracle::checked_locks_held() == 2);
    CHECK(oracle::checked_lock_names() == std::vector<std::string>{"first", "second"});
    CHECK(oracle::checked_lock_names(1) == std::vector<std::string>{"second"});
  }
  CHECK(oracle::checked_locks_held() == 0);
}
