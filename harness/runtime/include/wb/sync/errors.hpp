// The error values of the sync primitives and channels. Closing is an ordinary outcome here, not
// an exception: a send whose receivers are all gone hands its value back in a SendError, and a
// receive from a channel that is closed and drained answers Closed. They travel in wb::Expected.
#pragma once

#include <utility>

namespace wb {

// ANCHOR: errors
/// The other side has gone: every sender (for a receiver), the semaphore was closed (for an
/// acquire).
struct Closed {
  friend bool operator==(Closed, Closed) = default;
};

/// A send failed because nobody can receive any more; the value comes back untouched.
template <class T>
struct SendError {
  T value;
};

/// Why a try_send failed, with the value back.
template <class T>
struct TrySendError {
  enum class Reason { full, closed };
  Reason reason;
  T value;

  bool is_full() const noexcept { return reason == Reason::full; }
  bool is_closed() const noexcept { return reason == Reason::closed; }
};

/// Why a try_recv found nothing: nothing yet, or nothing ever again.
enum class TryRecvError { empty, closed };
// ANCHOR_END: errors

/// Why try_acquire (or try_lock) got nothing: not enough free permits, or closed.
enum class TryAcquireError { no_permits, closed };

}  // namespace wb
