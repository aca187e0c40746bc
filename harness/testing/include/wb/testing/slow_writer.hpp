// wb::testing::SlowWriter — an in-memory AsyncWrite that takes at most a few bytes per write and
// makes a Pending gap before each one, the way a socket with a nearly full send buffer does. It
// catches writing code that treats one poll_write as the whole buffer (the rest is silently
// dropped: written() comes up short) and code that is not polled again after a Pending (the
// gap wakes only the newest waker, so a lost wake-up hangs under the parking oracle).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <system_error>

#include "wb/core/contract.hpp"
#include "wb/core/future.hpp"
#include "wb/io/async_write.hpp"
#include "wb/io/pending_gap.hpp"

namespace wb::testing {

class SlowWriter {
 public:
  using Gap = PendingGap::Kind;

  explicit SlowWriter(std::size_t bytes_per_write = 3, Gap gap = Gap::wake_at_once,
                      std::chrono::microseconds delay = std::chrono::microseconds(200))
      : bytes_per_write_(bytes_per_write), gap_(gap, delay) {
    if (bytes_per_write == 0) throw ContractViolation("a SlowWriter must take at least 1 byte");
  }

  /// After `bytes` bytes were taken, every write fails with `error` (a connection reset).
  SlowWriter& fail_after(std::size_t bytes, std::error_code error) {
    fail_after_ = bytes;
    error_ = error;
    return *this;
  }

  Poll<IoResult<std::size_t>> poll_write(Context& cx, std::span<char const> bytes) {
    ++polls_;
    if (shut_down_) {
      return IoResult<std::size_t>(unexpected(std::make_error_code(std::errc::broken_pipe)));
    }
    if (bytes.empty()) return IoResult<std::size_t>(std::size_t{0});
    if (!gap_.passed(cx)) {
      ++pendings_;
      return pending;
    }
    if (fail_after_ && written_.size() >= *fail_after_) {
      return IoResult<std::size_t>(unexpected(error_));
    }
    std::size_t n = std::min(bytes.size(), bytes_per_write_);
    if (fail_after_) n = std::min(n, *fail_after_ - written_.size());
    written_.append(bytes.data(), n);
    ++writes_;
    return IoResult<std::size_t>(n);
  }

  Poll<IoResult<void>> poll_flush(Context&) {
    ++flushes_;
    flushed_ = written_.size();
    return IoResult<void>();
  }

  Poll<IoResult<void>> poll_shutdown(Context& cx) {
    auto flushed = poll_flush(cx);
    shut_down_ = true;
    return flushed;
  }

  /// Everything taken so far, in order.
  std::string const& written() const noexcept { return written_; }
  /// How much of written() had been taken at the last flush (or shutdown).
  std::size_t flushed() const noexcept { return flushed_; }
  bool is_shut_down() const noexcept { return shut_down_; }
  std::size_t polls() const noexcept { return polls_; }
  /// How many writes took bytes.
  std::size_t writes() const noexcept { return writes_; }
  /// How many times the writer answered Pending (gaps served).
  std::size_t pendings() const noexcept { return pendings_; }
  std::size_t flushes() const noexcept { return flushes_; }

 private:
  std::size_t bytes_per_write_;
  PendingGap gap_;
  std::string written_;
  std::size_t flushed_ = 0;
  bool shut_down_ = false;
  std::optional<std::size_t> fail_after_;
  std::error_code error_;
  std::size_t polls_ = 0;
  std::size_t writes_ = 0;
  std::size_t pendings_ = 0;
  std::size_t flushes_ = 0;
};

static_assert(AsyncWrite<SlowWriter>);

}  // namespace wb::testing
