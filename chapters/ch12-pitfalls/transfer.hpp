// Exercise: a transfer that survives being cancelled. It debits one account and credits the
// other, each a call to the ledger with a round trip; if it is dropped in between, no money may
// be lost or made. Read book/src/ch12-pitfalls.md, then replace the WB_TODO.
// Check your work with:  scripts/workbook check ch12
#pragma once

#include <bank.hpp>
#include <string>
#include <utility>
#include <wb/core/contract.hpp>
#include <wb/task/task.hpp>

// ANCHOR: transfer_stub
/// Moves `amount` from `from` to `to`: co_await bank.debit(from, …), then co_await
/// bank.credit(to, …). Dropped at any co_await, it leaves the total in the bank unchanged.
inline wb::Task<void> transfer(Bank& bank, std::string from, std::string to, long amount) {
  (void)bank;
  (void)from;
  (void)to;
  (void)amount;
  WB_TODO(
      "debit, then credit; after the debit keep a guard whose destructor refunds the money, "
      "and dismiss it once the credit is done");
}
// ANCHOR_END: transfer_stub
