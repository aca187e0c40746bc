// Tests for the transfer: it moves the money, and the cancel-at-every-step oracle drops it after
// its first poll, then (with a fresh bank) after its second, and so on, checking after each drop
// that no money left one account without reaching the other, or appeared from nowhere.
#include <fmt/format.h>

#include <bank.hpp>
#include <chrono>
#include <string>
#include <transfer.hpp>
#include <wb/oracle/cancel_at_every_step.hpp>
#include <wb/oracle/oracles.hpp>
#include <wb/oracle/virtual_time.hpp>
#include <wb/testing/catch.hpp>
#include <wb/time/timeout.hpp>

using namespace std::chrono_literals;
namespace oracle = wb::oracle;

namespace {

Bank alice_and_bob() { return Bank{{"alice", 100}, {"bob", 50}}; }

// The invariant: 150 in the bank, whatever happened. The words say where the difference went.
std::string money_lost_or_made(Bank const& bank) {
  long const alice = bank.balance("alice");
  long const bob = bank.balance("bob");
  long const total = alice + bob;
  if (total == 150) return "";
  if (total < 150) {
    return fmt::format(
        "{} left alice and never reached bob (alice has {}, bob {}: {} of the 150 are gone)",
        150 - total, alice, bob, 150 - total);
  }
  return fmt::format(
      "{} appeared from nowhere (alice has {}, bob {}: 150 were in the bank, now {})", total - 150,
      alice, bob, total);
}

}  // namespace

TEST_CASE("a transfer moves the money from one account to the other") {
  Bank bank = alice_and_bob();
  auto out = oracle::virtual_time(transfer(bank, "alice", "bob", 60));
  INFO("after a transfer of 60 from alice (100) to bob (50), alice has "
       << bank.balance("alice") << " and bob " << bank.balance("bob") << "; expected 40 and 110");
  CHECK(bank.balance("alice") == 40);
  CHECK(bank.balance("bob") == 110);
  INFO("a transfer that finished must refund nothing: dismiss the guard once the credit is done");
  CHECK(bank.refunds() == 0);
  CHECK(out.elapsed == 20ms);
}

TEST_CASE("a transfer goes through the ledger with one debit and then one credit") {
  Bank bank = alice_and_bob();
  auto out = oracle::virtual_time(transfer(bank, "alice", "bob", 60));
  INFO("the transfer made " << bank.debits() << " debit and " << bank.credits()
                            << " credit calls in " << out.elapsed / 1ms
                            << " ms of virtual time: it should make one of each, the debit first "
                               "(10 ms each). refund() is the undo of a debit, not a way to pay");
  CHECK(bank.debits() == 1);
  CHECK(bank.credits() == 1);
}

TEST_CASE("a transfer dropped at any step loses or makes no money") {
  auto out = oracle::cancel_at_every_step(
      alice_and_bob, [](Bank& bank) { return transfer(bank, "alice", "bob", 60); },
      money_lost_or_made);
  INFO("the complete transfer took " << out.polls << " polls");
  CHECK(out.dropped_runs >= 1);
}

TEST_CASE("a transfer cut off by a timeout leaves both accounts as they were") {
  Bank bank = alice_and_bob();
  auto out = oracle::virtual_time(wb::timeout(15ms, transfer(bank, "alice", "bob", 60)));
  REQUIRE_FALSE(out.value.has_value());
  INFO(
      "a 15 ms timeout dropped the transfer after its debit (10 ms) and before its credit "
      "(20 ms): alice has "
      << bank.balance("alice") << " and bob " << bank.balance("bob")
      << ", and both should have what they had, 100 and 50. Nothing gave the debit back when the "
         "transfer was dropped: this usually means there is no guard that refunds it, or a guard "
         "dismissed before the credit");
  CHECK(bank.balance("alice") == 100);
  CHECK(bank.balance("bob") == 50);
}

TEST_CASE("a transfer dropped before its debit is done refunds nothing") {
  Bank bank = alice_and_bob();
  auto out = oracle::virtual_time(wb::timeout(5ms, transfer(bank, "alice", "bob", 60)));
  REQUIRE_FALSE(out.value.has_value());
  INFO(
      "a 5 ms timeout dropped the transfer while its debit was on the way: nothing was taken, "
      "so nothing may be refunded, yet alice has "
      << bank.balance("alice")
      << " (she had 100). Make the guard only after the debit has completed");
  CHECK(bank.balance("alice") == 100);
  CHECK(bank.refunds() == 0);
}
