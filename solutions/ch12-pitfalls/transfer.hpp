// Reference solution: a cancellation-safe transfer. Between the debit and the credit the money
// is nowhere, so a guard made right after the debit refunds it in its destructor — which runs
// when the coroutine frame is destroyed at a co_await, that is, when the transfer is dropped —
// unless the credit went through and the guard was dismissed.
#pragma once

#include <bank.hpp>
#include <string>
#include <utility>
#include <wb/task/task.hpp>

// ANCHOR: refund_guard
/// Refunds a debit when destroyed, unless dismissed: the undo of a half-done transfer.
class RefundUnlessDismissed {
 public:
  RefundUnlessDismissed(Bank& bank, std::string account, long amount)
      : bank_(bank), account_(std::move(account)), amount_(amount) {}
  RefundUnlessDismissed(RefundUnlessDismissed const&) = delete;
  RefundUnlessDismissed& operator=(RefundUnlessDismissed const&) = delete;
  ~RefundUnlessDismissed() {
    if (!dismissed_) bank_.refund(account_, amount_);  // synchronous: a destructor cannot await
  }
  void dismiss() noexcept { dismissed_ = true; }

 private:
  Bank& bank_;
  std::string account_;
  long amount_;
  bool dismissed_ = false;
};
// ANCHOR_END: refund_guard

// ANCHOR: transfer
inline wb::Task<void> transfer(Bank& bank, std::string from, std::string to, long amount) {
  co_await bank.debit(from, amount);
  RefundUnlessDismissed refund(bank, from, amount);  // from here on the money is in flight
  co_await bank.credit(to, amount);                  // dropped here: the guard refunds
  refund.dismiss();  // same poll as the credit: no co_await in between
}
// ANCHOR_END: transfer
