// The cancel-at-every-step oracle: a two-step move that can be dropped in between is caught at
// the poll that breaks it, with the virtual time and what broke; a move made in one step, or
// undone by a guard, passes after a drop at every step; a complete run is checked too.
#include "wb/oracle/cancel_at_every_step.hpp"

#include <chrono>
#include <string>

#include "wb/core/poll_fn.hpp"
#include "wb/task/task.hpp"
#include "wb/testing/catch.hpp"
#include "wb/time/sleep.hpp"

using namespace std::chrono_literals;
namespace oracle = wb::oracle;

namespace {

// Two piles of coins; moving coins between them must never create or lose any.
struct Piles {
  int left = 10;
  int right = 0;
};

std::string coins_lost_or_made(Piles const& piles) {
  int const total = piles.left + piles.right;
  if (total == 10) return "";
  return total < 10 ? std::to_string(10 - total) + " coins vanished"
                    : std::to_string(total - 10) + " coins appeared";
}

// Wrong on purpose: takes, waits, then gives — a drop in the wait loses the coins.
wb::Task<void> move_in_two_steps(Piles& piles, int coins) {
  co_await wb::sleep(5ms);
  piles.left -= coins;
  co_await wb::sleep(5ms);
  piles.right += coins;
}

// Right: the waiting comes first; the move itself has no await inside.
wb::Task<void> move_in_one_step(Piles& piles, int coins) {
  co_await wb::sleep(5ms);
  co_await wb::sleep(5ms);
  piles.left -= coins;
  piles.right += coins;
}

// Right: a guard puts the coins back if the future is dropped before they arrive.
wb::Task<void> move_with_undo(Piles& piles, int coins) {
  co_await wb::sleep(5ms);
  piles.left -= coins;
  struct Undo {
    Piles& piles;
    int coins;
    bool dismissed = false;
    ~Undo() {
      if (!dismissed) piles.left += coins;
    }
  } undo{piles, coins};
  co_await wb::sleep(5ms);
  piles.right += coins;
  undo.dismissed = true;
}

// Wrong on purpose: finishes with coins doubled.
wb::Task<int> doubles_at_the_end(Piles& piles) {
  co_await wb::sleep(1ms);
  piles.right += 10;
  co_return 7;
}

template <class Run>
std::string verdict_of(Run run) {
  try {
    run();
  } catch (wb::ContractViolation const& e) {
    return e.what();
  }
  return "no verdict: the oracle accepted the future";
}

}  // namespace

TEST_CASE("cancel at every step catches a drop between two steps and says when and what broke") {
  auto verdict = verdict_of([] {
    oracle::cancel_at_every_step([] { return Piles{}; },
                                 [](Piles& piles) { return move_in_two_steps(piles, 4); },
                                 coins_lost_or_made);
  });
  CHECK_THAT(verdict, Catch::Matchers::ContainsSubstring(
                          "cancel-at-every-step oracle: dropped after poll #2 (at 5 ms of virtual "
                          "time): 4 coins vanished"));
  CHECK_THAT(verdict, Catch::Matchers::ContainsSubstring("a destructor"));
}

TEST_CASE("cancel at every step accepts a move in one step and one with an undo guard") {
  auto one_step = oracle::cancel_at_every_step(
      [] { return Piles{}; }, [](Piles& piles) { return move_in_one_step(piles, 4); },
      coins_lost_or_made);
  CHECK(one_step.polls == 3);
  CHECK(one_step.dropped_runs == 2);
  CHECK(one_step.elapsed == 10ms);
  auto with_undo = oracle::cancel_at_every_step(
      [] { return Piles{}; }, [](Piles& piles) { return move_with_undo(piles, 4); },
      coins_lost_or_made);
  CHECK(with_undo.polls == 3);
  CHECK(with_undo.dropped_runs == 2);
}

TEST_CASE("cancel at every step gives each run a fresh world") {
  int worlds = 0;
  auto out = oracle::cancel_at_every_step(
      [&] {
        ++worlds;
        return Piles{};
      },
      [](Piles& piles) { return move_in_one_step(piles, 3); },
      [](Piles const& piles) -> std::string {
        bool const untouched = piles.left == 10 && piles.right == 0;
        bool const moved = piles.left == 7 && piles.right == 3;
        return untouched || moved ? "" : "a world was reused";
      });
  CHECK(worlds == 3);
  CHECK(out.polls == 3);
}

TEST_CASE(
    "cancel at every step checks the world after the complete run and hands back the output") {
  auto verdict = verdict_of([] {
    oracle::cancel_at_every_step([] { return Piles{}; }, doubles_at_the_end, coins_lost_or_made);
  });
  CHECK_THAT(verdict, Catch::Matchers::ContainsSubstring("ran to the end (Ready at poll #2)"));
  CHECK_THAT(verdict, Catch::Matchers::ContainsSubstring("10 coins appeared"));
  auto fine = oracle::cancel_at_every_step([] { return Piles{}; },
                                           [](Piles&) -> wb::Task<int> {
                                             co_await wb::sleep(1ms);
                                             co_return 7;
                                           },
                                           coins_lost_or_made);
  CHECK(fine.value == 7);
}

TEST_CASE("cancel at every step says a future that is never woken would hang") {
  oracle::Options options;
  options.deadline = 100ms;
  auto verdict = verdict_of([&] {
    oracle::cancel_at_every_step(
        [] { return Piles{}; },
        [](Piles&) {
          return wb::poll_fn([](wb::Context&) -> wb::Poll<void> { return wb::pending; });
        },
        coins_lost_or_made, options);
  });
  CHECK_THAT(verdict, Catch::Matchers::ContainsSubstring("nothing will ever wake it"));
}
