// The bank the transfer exercise talks to (given, not an exercise): debit() and credit() are
// calls to a ledger service that change a balance after a 10 ms round trip, on the clock of
// whatever runs them; refund() puts back money taken by debit() at once, with no round trip —
// the kind of undo a destructor is able to make. It counts the calls, for the tests.
#pragma once

#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <map>
#include <string>
#include <utility>
#include <wb/core/contract.hpp>
#include <wb/task/task.hpp>
#include <wb/time/sleep.hpp>

inline constexpr std::chrono::milliseconds ledger_round_trip{10};

// ANCHOR: bank
class Bank {
 public:
  Bank(std::initializer_list<std::pair<std::string const, long>> balances) : balances_(balances) {}

  /// Takes `amount` out of `account` once the ledger answers, 10 ms after the first poll.
  wb::Task<void> debit(std::string account, long amount) {
    co_await wb::sleep(ledger_round_trip);
    at(account) -= amount;
    ++debits_;
  }

  /// Adds `amount` to `account` once the ledger answers, 10 ms after the first poll.
  wb::Task<void> credit(std::string account, long amount) {
    co_await wb::sleep(ledger_round_trip);
    at(account) += amount;
    ++credits_;
  }

  /// Puts back `amount` taken from `account` by a debit, at once: safe to call in a destructor.
  void refund(std::string const& account, long amount) noexcept {
    auto it = balances_.find(account);
    if (it != balances_.end()) it->second += amount;
    ++refunds_;
  }

  long balance(std::string const& account) const { return balances_.at(account); }
  long total() const {
    long sum = 0;
    for (auto const& [name, balance] : balances_) sum += balance;
    return sum;
  }
  std::size_t debits() const noexcept { return debits_; }
  std::size_t credits() const noexcept { return credits_; }
  std::size_t refunds() const noexcept { return refunds_; }

 private:
  long& at(std::string const& account) {
    auto it = balances_.find(account);
    if (it == balances_.end()) throw wb::ContractViolation("no account named " + account);
    return it->second;
  }
  std::map<std::string, long> balances_;
  std::size_t debits_ = 0;
  std::size_t credits_ = 0;
  std::size_t refunds_ = 0;
};
// ANCHOR_END: bank
