// wb::ChunkedReader — an in-memory AsyncBufRead that hands its data out in the chunks it was
// given, the way a socket does: a line may be cut anywhere, and between chunks the reader may be
// Pending for a while (a "gap"), woken at once or from another thread a moment later. Tests use
// it to check that code reading from any AsyncBufRead copes with data that comes in pieces.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "wb/core/contract.hpp"
#include "wb/core/future.hpp"
#include "wb/io/async_buf_read.hpp"
#include "wb/io/async_read.hpp"
#include "wb/io/pending_gap.hpp"

namespace wb {

class ChunkedReader {
 public:
  /// What happens before each chunk (and before the end) is delivered: none, wake_at_once,
  /// wake_from_thread (see PendingGap).
  using Gap = PendingGap::Kind;

  explicit ChunkedReader(std::vector<std::string> chunks, Gap gap = Gap::none,
                         std::chrono::microseconds delay = std::chrono::microseconds(200))
      : gap_(gap, delay) {
    for (auto& chunk : chunks) {
      if (!chunk.empty()) chunks_.push_back(std::move(chunk));  // an empty view means the end
    }
  }

  /// `text` cut into chunks of `size` bytes (the last one shorter).
  static ChunkedReader split(std::string_view text, std::size_t size, Gap gap = Gap::none) {
    if (size == 0) throw ContractViolation("ChunkedReader::split needs a chunk size of at least 1");
    std::vector<std::string> chunks;
    for (std::size_t at = 0; at < text.size(); at += size)
      chunks.emplace_back(text.substr(at, size));
    return ChunkedReader(std::move(chunks), gap);
  }

  /// After the last chunk, fail with `error` instead of reaching the end.
  ChunkedReader& fail_at_end(std::error_code error) {
    error_at_end_ = error;
    return *this;
  }

  // ANCHOR: poll_fill_buf
  Poll<IoResult<std::string_view>> poll_fill_buf(Context& cx) {
    ++polls_;
    if (current_ && offset_ < chunks_[*current_].size()) {
      return IoResult<std::string_view>(std::string_view(chunks_[*current_]).substr(offset_));
    }
    if (!ended_) {
      if (!gap_passed(cx)) {
        ++pendings_;
        return pending;
      }
      std::size_t const next = current_ ? *current_ + 1 : 0;
      if (next < chunks_.size()) {
        current_ = next;
        offset_ = 0;
        return IoResult<std::string_view>(std::string_view(chunks_[next]));
      }
      ended_ = true;
    }
    if (error_at_end_) return IoResult<std::string_view>(unexpected(*error_at_end_));
    return IoResult<std::string_view>(std::string_view());  // the end of the data
  }
  // ANCHOR_END: poll_fill_buf

  void consume(std::size_t used) {
    std::size_t const left = current_ ? chunks_[*current_].size() - offset_ : 0;
    if (used > left) {
      throw ContractViolation("consume(" + std::to_string(used) + ") on a reader that had only " +
                              std::to_string(left) + " bytes buffered");
    }
    offset_ += used;
  }

  Poll<IoResult<std::size_t>> poll_read(Context& cx, std::span<char> buffer) {
    auto filled = poll_fill_buf(cx);
    if (filled.is_pending()) return pending;
    auto data = std::move(filled).value();
    if (!data) return IoResult<std::size_t>(unexpected(data.error()));
    std::size_t const n = std::min(buffer.size(), data->size());
    if (n > 0) std::memcpy(buffer.data(), data->data(), n);
    consume(n);
    return IoResult<std::size_t>(n);
  }

  std::size_t polls() const noexcept { return polls_; }
  /// How many times the reader answered Pending (gaps served).
  std::size_t pendings() const noexcept { return pendings_; }
  std::size_t chunks() const noexcept { return chunks_.size(); }

 private:
  /// True once the gap before the next delivery is over.
  bool gap_passed(Context& cx) { return gap_.passed(cx); }

  std::vector<std::string> chunks_;
  std::optional<std::size_t> current_;  // the chunk being read
  std::size_t offset_ = 0;              // how much of it is consumed
  bool ended_ = false;
  std::optional<std::error_code> error_at_end_;
  PendingGap gap_;
  std::size_t polls_ = 0;
  std::size_t pendings_ = 0;
};

static_assert(AsyncBufRead<ChunkedReader>);

}  // namespace wb
