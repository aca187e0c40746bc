// Reference solution: the checksum runs on a thread of the blocking pool, in a lambda that owns
// the data (moved into its capture); the task awaits its JoinHandle, and the executor polls
// other tasks meanwhile.
#pragma once

#include <checksum.hpp>
#include <cstdint>
#include <utility>
#include <vector>
#include <wb/task/spawn_blocking.hpp>
#include <wb/task/task.hpp>

// ANCHOR: digest
inline wb::Task<std::uint64_t> checksum_off_executor(std::vector<std::uint8_t> data) {
  // Named first: GCC 12 mishandles a lambda with a move-capture written inside a co_await
  // expression (it frees the captured vector twice), so the lambda is made before the await.
  auto compute = [data = std::move(data)] { return checksum(data); };
  co_return co_await wb::spawn_blocking(std::move(compute));
}
// ANCHOR_END: digest
