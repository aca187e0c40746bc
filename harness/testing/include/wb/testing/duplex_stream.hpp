// wb::testing::duplex — two connected in-memory streams, each an AsyncRead and an AsyncWrite:
// what one end writes, the other reads, like the two ends of a TCP connection. Each direction
// holds at most `capacity` bytes, so a writer whose peer does not read is Pending until it does
// (backpressure), and shutting down one end's writing side is the end of the data at the other.
// Dropping an end closes both directions: its peer reads the end, and its peer's writes fail with
// broken_pipe. The ends may be used from different threads.
#pragma once

#include <algorithm>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <system_error>
#include <utility>

#include "wb/core/contract.hpp"
#include "wb/core/future.hpp"
#include "wb/io/async_read.hpp"
#include "wb/io/async_write.hpp"

namespace wb::testing {

class DuplexStream;
std::pair<DuplexStream, DuplexStream> duplex(std::size_t capacity = 64);

class DuplexStream {
 public:
  DuplexStream(DuplexStream&&) noexcept = default;
  DuplexStream& operator=(DuplexStream&& other) noexcept {
    DuplexStream(std::move(other)).swap(*this);
    return *this;
  }
  ~DuplexStream() { close(); }

  Poll<IoResult<std::size_t>> poll_read(Context& cx, std::span<char> buffer) {
    Pipe& pipe = connected(incoming_);
    std::optional<Waker> to_wake;
    std::optional<Waker> replaced;  // released after the lock (the waker rule, core/waker.hpp)
    std::size_t n = 0;
    {
      std::lock_guard lock(pipe.mutex);
      if (pipe.bytes.empty()) {
        if (pipe.write_closed || buffer.empty()) return IoResult<std::size_t>(std::size_t{0});
        replaced = replace_waker(pipe.reader_waker, cx.waker());
        return pending;
      }
      n = std::min(buffer.size(), pipe.bytes.size());
      std::copy_n(pipe.bytes.begin(), n, buffer.begin());
      pipe.bytes.erase(pipe.bytes.begin(), pipe.bytes.begin() + static_cast<std::ptrdiff_t>(n));
      to_wake = std::exchange(pipe.writer_waker, std::nullopt);  // there is room again
    }
    if (to_wake) std::move(*to_wake).wake();
    return IoResult<std::size_t>(n);
  }

  Poll<IoResult<std::size_t>> poll_write(Context& cx, std::span<char const> bytes) {
    Pipe& pipe = connected(outgoing_);
    std::optional<Waker> to_wake;
    std::optional<Waker> replaced;
    std::size_t n = 0;
    {
      std::lock_guard lock(pipe.mutex);
      if (pipe.read_closed || pipe.write_closed) {
        return IoResult<std::size_t>(unexpected(std::make_error_code(std::errc::broken_pipe)));
      }
      if (bytes.empty()) return IoResult<std::size_t>(std::size_t{0});
      std::size_t const room = pipe.capacity - pipe.bytes.size();
      if (room == 0) {
        replaced = replace_waker(pipe.writer_waker, cx.waker());
        return pending;
      }
      n = std::min(room, bytes.size());
      pipe.bytes.insert(pipe.bytes.end(), bytes.begin(), bytes.begin() + n);
      to_wake = std::exchange(pipe.reader_waker, std::nullopt);
    }
    if (to_wake) std::move(*to_wake).wake();
    return IoResult<std::size_t>(n);
  }

  /// Nothing is buffered on the way: what was written is already readable.
  Poll<IoResult<void>> poll_flush(Context&) {
    connected(outgoing_);
    return IoResult<void>();
  }

  /// Closes the writing side: the peer reads what is left, then the end of the data.
  Poll<IoResult<void>> poll_shutdown(Context&) {
    close_writing(connected(outgoing_));
    return IoResult<void>();
  }

  /// Bytes written by the peer and not read yet.
  std::size_t readable() const {
    Pipe& pipe = connected(incoming_);
    std::lock_guard lock(pipe.mutex);
    return pipe.bytes.size();
  }

  void swap(DuplexStream& other) noexcept {
    incoming_.swap(other.incoming_);
    outgoing_.swap(other.outgoing_);
  }

 private:
  friend std::pair<DuplexStream, DuplexStream> duplex(std::size_t);

  /// One direction: bytes written by one end and read by the other.
  struct Pipe {
    explicit Pipe(std::size_t capacity) : capacity(capacity) {}
    std::mutex mutex;
    std::deque<char> bytes;
    std::size_t const capacity;
    bool write_closed = false;  // the writer shut down or is gone: the end after `bytes`
    bool read_closed = false;   // the reader is gone: writes fail
    std::optional<Waker> reader_waker;
    std::optional<Waker> writer_waker;
  };

  DuplexStream(std::shared_ptr<Pipe> incoming, std::shared_ptr<Pipe> outgoing)
      : incoming_(std::move(incoming)), outgoing_(std::move(outgoing)) {}

  static Pipe& connected(std::shared_ptr<Pipe> const& pipe) {
    if (!pipe) throw ContractViolation("a DuplexStream was used after it was moved from");
    return *pipe;
  }

  static void close_writing(Pipe& pipe) {
    std::optional<Waker> to_wake;
    {
      std::lock_guard lock(pipe.mutex);
      pipe.write_closed = true;
      to_wake = std::exchange(pipe.reader_waker, std::nullopt);
    }
    if (to_wake) std::move(*to_wake).wake();
  }

  void close() {
    if (outgoing_) close_writing(*outgoing_);
    if (incoming_) {
      std::optional<Waker> to_wake;
      std::optional<Waker> mine;
      {
        std::lock_guard lock(incoming_->mutex);
        incoming_->read_closed = true;
        to_wake = std::exchange(incoming_->writer_waker, std::nullopt);  // to see broken_pipe
        mine = std::exchange(incoming_->reader_waker, std::nullopt);
      }
      if (to_wake) std::move(*to_wake).wake();
    }
  }

  std::shared_ptr<Pipe> incoming_;
  std::shared_ptr<Pipe> outgoing_;
};

/// Two connected ends, each direction holding at most `capacity` bytes (at least 1).
inline std::pair<DuplexStream, DuplexStream> duplex(std::size_t capacity) {
  if (capacity == 0) throw ContractViolation("a duplex stream needs a capacity of at least 1");
  auto a_to_b = std::make_shared<DuplexStream::Pipe>(capacity);
  auto b_to_a = std::make_shared<DuplexStream::Pipe>(capacity);
  return {DuplexStream(b_to_a, a_to_b), DuplexStream(a_to_b, b_to_a)};
}

static_assert(AsyncRead<DuplexStream>);
static_assert(AsyncWrite<DuplexStream>);

}  // namespace wb::testing
