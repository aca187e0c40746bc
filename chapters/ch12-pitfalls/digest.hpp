// Exercise: a checksum that keeps the executor free. checksum() is heavy CPU work that blocks
// whatever thread calls it; run it where blocking is allowed. Read book/src/ch12-pitfalls.md,
// then replace the WB_TODO.
// Check your work with:  scripts/workbook check ch12
#pragma once

#include <checksum.hpp>
#include <cstdint>
#include <utility>
#include <vector>
#include <wb/core/contract.hpp>
#include <wb/task/spawn_blocking.hpp>
#include <wb/task/task.hpp>

// ANCHOR: digest_stub
/// The checksum() of `data`, computed without blocking the executor that polls this task.
inline wb::Task<std::uint64_t> checksum_off_executor(std::vector<std::uint8_t> data) {
  (void)data;
  WB_TODO(
      "hand checksum(data) to wb::spawn_blocking in a lambda that owns the data (made on a line "
      "of its own, before the co_await), and co_await its JoinHandle");
}
// ANCHOR_END: digest_stub
