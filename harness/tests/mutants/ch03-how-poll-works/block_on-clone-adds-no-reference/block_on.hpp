// Mutant of ch03's block_on: clone() returns the same data pointer without counting the new handle.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <utility>
#include <wb/core/future.hpp>

namespace ex {

// ANCHOR: thread_parker
class ThreadParker {
 public:
  void park() {
    std::unique_lock lock(mutex_);
    // The predicate is the whole point: an unpark() that came before this call left the token
    // set, so we return without sleeping; and a spurious wake-up of the condition variable finds
    // the token clear and sleeps again.
    unparked_.wait(lock, [&] { return token_; });
    token_ = false;
  }

  void unpark() {
    {
      std::lock_guard lock(mutex_);  // set under the lock, or park() could miss it between
      token_ = true;                 // checking the token and going to sleep
    }
    unparked_.notify_one();
  }

 private:
  std::mutex mutex_;
  std::condition_variable unparked_;
  bool token_ = false;
};
// ANCHOR_END: thread_parker

struct ParkerWakerBlock {
  std::atomic<std::size_t> handles{1};
  std::shared_ptr<ThreadParker> parker;
};

// ANCHOR: parker_waker
namespace parker_waker {

inline ParkerWakerBlock* block_of(void const* data) {
  return const_cast<ParkerWakerBlock*>(static_cast<ParkerWakerBlock const*>(data));
}

inline wb::RawWaker clone(void const* data);

inline void wake_by_ref(void const* data) { block_of(data)->parker->unpark(); }

inline void drop(void const* data) {
  // acq_rel: the thread that deletes must see every other handle's last use of the block.
  if (block_of(data)->handles.fetch_sub(1, std::memory_order_acq_rel) == 1) delete block_of(data);
}

inline void wake(void const* data) {
  wake_by_ref(data);
  drop(data);
}

inline constexpr wb::WakerVTable vtable{&clone, &wake, &wake_by_ref, &drop};

inline wb::RawWaker clone(void const* data) {
  return {data, &vtable};  // WRONG: the new handle is not counted
}

}  // namespace parker_waker

inline wb::Waker make_parker_waker(std::shared_ptr<ThreadParker> parker) {
  auto* block = new ParkerWakerBlock{{1}, std::move(parker)};
  return wb::Waker(wb::RawWaker{block, &parker_waker::vtable});
}
// ANCHOR_END: parker_waker

// ANCHOR: block_on
template <wb::Future F>
wb::output_of<F> block_on(F future) {
  auto parker = std::make_shared<ThreadParker>();
  wb::Waker waker = make_parker_waker(parker);
  wb::Context cx(waker);
  for (;;) {
    auto result = future.poll(cx);
    if (result.is_ready()) return std::move(result).value();
    parker->park();  // returns at once if the waker fired while we were polling
  }
}
// ANCHOR_END: block_on

}  // namespace ex
