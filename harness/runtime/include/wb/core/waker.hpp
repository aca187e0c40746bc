// wb::Waker — the handle a future keeps so that something can say "poll me again".
// It is a data pointer plus a table of four functions, the same shape as Rust's RawWaker,
// so an executor can wake tasks of any kind without a virtual base class.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <utility>

namespace wb {

// ANCHOR: raw_waker
struct WakerVTable;

/// An untyped waker: what the data pointer means is known only to its vtable.
struct RawWaker {
  void const* data;
  WakerVTable const* vtable;
};

struct WakerVTable {
  RawWaker (*clone)(void const* data);  // make another handle to the same task
  void (*wake)(void const* data);         // wake, and release this handle
  void (*wake_by_ref)(void const* data);  // wake, keep the handle
  void (*drop)(void const* data);         // release this handle without waking
};
// ANCHOR_END: raw_waker

/// Owns one RawWaker handle. Copying clones it; destruction drops it.
class Waker {
 public:
  explicit Waker(RawWaker raw) noexcept : raw_(raw) {}

  Waker(Waker const& other) : raw_(other.raw_.vtable->clone(other.raw_.data)) {}
  Waker(Waker&& other) noexcept : raw_(std::exchange(other.raw_, empty())) {}
  Waker& operator=(Waker other) noexcept {
    std::swap(raw_, other.raw_);
    return *this;
  }
  ~Waker() { raw_.vtable->drop(raw_.data); }

  // ANCHOR: wake
  /// Ask the executor to poll the task again; the waker stays usable.
  void wake() const& { raw_.vtable->wake_by_ref(raw_.data); }
  /// Same, consuming the waker: `std::move(waker).wake()`.
  void wake() && { raw_.vtable->wake(std::exchange(raw_, empty()).data); }
  void wake_by_ref() const { raw_.vtable->wake_by_ref(raw_.data); }
  // ANCHOR_END: wake

  /// True when both wake the same task, so storing a clone of `other` can be skipped.
  bool will_wake(Waker const& other) const noexcept {
    return raw_.data == other.raw_.data && raw_.vtable == other.raw_.vtable;
  }

  RawWaker const& raw() const noexcept { return raw_; }

  /// A waker that does nothing when woken.
  static Waker const& noop() noexcept;

 private:
  static RawWaker empty() noexcept;
  RawWaker raw_;
};

namespace detail {
inline RawWaker noop_clone(void const*);
inline void noop_fn(void const*) {}
inline constexpr WakerVTable noop_vtable{&noop_clone, &noop_fn, &noop_fn, &noop_fn};
inline RawWaker noop_clone(void const*) { return {nullptr, &noop_vtable}; }
}  // namespace detail

inline RawWaker Waker::empty() noexcept { return {nullptr, &detail::noop_vtable}; }

inline Waker const& Waker::noop() noexcept {
  static Waker const waker{RawWaker{nullptr, &detail::noop_vtable}};
  return waker;
}

// ANCHOR: waker_from
namespace detail {
/// One heap block per waker_from() call; clones share it, so will_wake sees them as equal.
template <class W>
struct SharedWakerBlock {
  std::atomic<std::size_t> handles{1};
  std::shared_ptr<W> target;

  static SharedWakerBlock* of(void const* data) {
    return const_cast<SharedWakerBlock*>(static_cast<SharedWakerBlock const*>(data));
  }
  static RawWaker clone(void const* data) {
    of(data)->handles.fetch_add(1, std::memory_order_relaxed);
    return {data, &vtable};
  }
  static void wake(void const* data) {
    wake_by_ref(data);
    drop(data);
  }
  static void wake_by_ref(void const* data) { of(data)->target->wake(); }
  static void drop(void const* data) {
    if (of(data)->handles.fetch_sub(1, std::memory_order_acq_rel) == 1) delete of(data);
  }
  static constexpr WakerVTable vtable{&clone, &wake, &wake_by_ref, &drop};
};
}  // namespace detail

/// A waker that calls `target->wake()`; the waker keeps `target` alive.
/// `wake()` may be called from any thread, so it must be thread-safe.
template <class W>
  requires requires(W& w) { w.wake(); }
Waker waker_from(std::shared_ptr<W> target) {
  auto* block = new detail::SharedWakerBlock<W>{{1}, std::move(target)};
  return Waker(RawWaker{block, &detail::SharedWakerBlock<W>::vtable});
}
// ANCHOR_END: waker_from

// The waker rule, for every primitive that keeps wakers behind a lock: never release a waker
// while holding the lock. Replacing or dropping a stored waker may release the last handle to a
// task, which destroys the task, and its destructor may use the very primitive whose lock is
// held — a deadlock, or a lock taken twice. So a waker leaves the primitive's state under the
// lock and is released (or woken) after unlocking: declare the holder before the lock guard.
//
//   std::optional<Waker> replaced;  // released after the lock
//   std::lock_guard lock(mutex_);
//   replaced = replace_waker(waker_, cx.waker());

/// Stores `newest` in `slot` unless it wakes the same task as the one there, and answers the
/// waker it replaced, for the caller to release once its lock is released.
[[nodiscard]] inline std::optional<Waker> replace_waker(std::optional<Waker>& slot,
                                                        Waker const& newest) {
  if (slot && slot->will_wake(newest)) return std::nullopt;
  return std::exchange(slot, newest);
}

}  // namespace wb
