// Exercise: a parking block_on — run a future to completion on the calling thread, sleeping while
// it is Pending and waking only when its waker fires. You build the three parts it needs:
//   1. ThreadParker: park() sleeps until unpark(); an unpark() that comes first is not lost.
//   2. A waker for it, by hand: the four functions of a wb::WakerVTable over a reference-counted
//      block, and make_parker_waker() that creates the first handle.
//   3. block_on itself: poll, and after Pending park until woken.
// Read book/src/ch03-how-poll-works.md, then replace each WB_TODO, in that order.
// Check your work with:  scripts/workbook check ch03
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <wb/core/contract.hpp>
#include <wb/core/future.hpp>

namespace ex {

// ---- 1. The parker -------------------------------------------------------------------------

/// Puts one thread to sleep until another thread unparks it.
class ThreadParker {
 public:
  /// Sleep until unpark() is called. If unpark() was already called since the last park(),
  /// return at once. Either way the unpark is used up: the next park() sleeps again.
  void park() {
    WB_TODO(
        "lock mutex_, wait on unparked_ until token_ is set (wait with a predicate), then clear "
        "token_");
  }

  /// Wake the thread in park(), or, if none is parked yet, make the next park() return at once.
  /// Called from any thread.
  void unpark() { WB_TODO("set token_ while holding mutex_, then notify unparked_"); }

 private:
  std::mutex mutex_;
  std::condition_variable unparked_;
  bool token_ = false;  // "an unpark is waiting to be used": set by unpark(), cleared by park()
};

// ---- 2. The waker, built by hand -----------------------------------------------------------

/// What the data pointer of a parker's waker points at: one heap block, shared by the first
/// handle and every clone of it, deleted when the last handle goes away.
struct ParkerWakerBlock {
  std::atomic<std::size_t> handles{1};  // how many wb::Waker handles point at this block
  std::shared_ptr<ThreadParker> parker;
};

/// The four functions behind a parker's waker. Each gets the data pointer of one handle.
/// Careful: wb::Waker's destructor calls drop(), and a destructor cannot let an exception out,
/// so a WB_TODO left in drop() ends the program. Write all four before make_parker_waker().
namespace parker_waker {

/// The block a data pointer points at (wakers hold `void const*`; the block is ours to change).
inline ParkerWakerBlock* block_of(void const* data) {
  return const_cast<ParkerWakerBlock*>(static_cast<ParkerWakerBlock const*>(data));
}

/// Make another handle to the same parker: count it, and return the same data pointer (so that
/// will_wake sees the clone and the original as one) with this vtable. Written below the vtable,
/// because it returns a pointer to it.
inline wb::RawWaker clone(void const* data);

/// Unpark the parker, and keep this handle.
inline void wake_by_ref(void const* data) {
  (void)data;
  WB_TODO("unpark the parker of block_of(data)");
}

/// Release this handle without waking: one handle fewer; the last one deletes the block.
inline void drop(void const* data) {
  (void)data;
  WB_TODO("decrement handles; if this was the last handle, delete the block");
}

/// Unpark the parker and release this handle (wake by value uses the handle up).
inline void wake(void const* data) {
  (void)data;
  WB_TODO("wake_by_ref, then drop");
}

inline constexpr wb::WakerVTable vtable{&clone, &wake, &wake_by_ref, &drop};

inline wb::RawWaker clone(void const* data) {
  (void)data;
  WB_TODO("increment handles, then return wb::RawWaker{data, &vtable}");
}

}  // namespace parker_waker

/// The first handle of a new waker whose wake() unparks `parker`. The parker stays alive as long
/// as any handle (this one or a clone) does.
inline wb::Waker make_parker_waker(std::shared_ptr<ThreadParker> parker) {
  (void)parker;
  WB_TODO(
      "allocate a ParkerWakerBlock holding the parker (handles starts at 1) and wrap it: "
      "wb::Waker(wb::RawWaker{block, &parker_waker::vtable})");
}

// ---- 3. block_on ---------------------------------------------------------------------------

/// Run `future` to completion on this thread and return its output. Poll it; after Pending,
/// sleep in park() until its waker fires, then poll again. Never poll without a wake.
template <wb::Future F>
wb::output_of<F> block_on(F future) {
  (void)future;
  WB_TODO(
      "make a parker and its waker, a wb::Context from the waker, then loop: poll the future; "
      "Ready: return std::move(result).value(); Pending: park");
}

}  // namespace ex
