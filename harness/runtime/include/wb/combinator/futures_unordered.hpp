// wb::FuturesUnordered<F> — a growing set of futures of one type, whose outputs come out in the
// order the futures finish. Each child gets a waker of its own, which puts that child on a ready
// queue and wakes the set: a poll polls only the children that were woken, so a set of ten
// thousand futures costs per wake-up what one child costs, not ten thousand polls.
#pragma once

#include <atomic>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "wb/combinator/maybe_done.hpp"
#include "wb/core/borrowed_waker.hpp"
#include "wb/core/future.hpp"

namespace wb {

template <Future F>
class FuturesUnordered {
 public:
  using Value = value_of<F>;

  FuturesUnordered() : queue_(std::make_shared<ReadyQueue>()) {}
  FuturesUnordered(FuturesUnordered&& other) noexcept
      : queue_(std::move(other.queue_)),
        head_(std::exchange(other.head_, nullptr)),
        size_(std::exchange(other.size_, 0)) {}
  FuturesUnordered& operator=(FuturesUnordered&&) = delete;
  ~FuturesUnordered() {
    if (!queue_) return;  // moved from
    clear();
    std::deque<Node*> queued;
    std::optional<Waker> parent;  // released after the lock (the waker rule, core/waker.hpp)
    {
      std::lock_guard lock(queue_->mutex);
      queue_->closed = true;  // late wakes from other threads are turned away
      queued.swap(queue_->nodes);
      parent = std::exchange(queue_->parent, std::nullopt);
    }
    for (Node* node : queued) node->release();
  }

  /// Adds a child; it is polled (for the first time) at the set's next poll.
  void push(F future) {
    Node* node = new Node(std::move(future), queue_);
    node->next = head_;
    if (head_) head_->prev = node;
    head_ = node;
    ++size_;
    node->queued.store(true, std::memory_order_relaxed);
    node->add_ref();  // the ready queue's reference
    std::lock_guard lock(queue_->mutex);
    queue_->nodes.push_back(node);
  }

  /// Children that have not finished yet.
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

  // ANCHOR: poll_next
  /// Ready with the output of a child that finished, or with nullopt when the set is empty.
  Poll<std::optional<Value>> poll_next(Context& cx) {
    {
      std::optional<Waker> replaced;  // released after the lock (the waker rule, core/waker.hpp)
      std::lock_guard lock(queue_->mutex);
      replaced = replace_waker(queue_->parent, cx.waker());
    }
    if (size_ == 0) return std::optional<Value>();
    std::size_t const limit = size_;  // at most one poll per child per call
    for (std::size_t polled = 0; polled < limit;) {
      Node* node = pop_ready();
      if (node == nullptr) return pending;  // no child was woken: the wakers will call us
      NodeRef queue_ref{node};              // the queue's reference, released at scope end
      if (!node->future) continue;          // finished after it was queued
      node->queued.store(false, std::memory_order_release);  // a wake from now on queues it again
      BorrowedWaker waker(RawWaker{node, &Node::vtable});
      Context child_cx(waker.get());
      ++polled;
      std::optional<Value> output;
      try {
        output = poll_child(*node->future, child_cx);
      } catch (...) {
        remove(node);  // a child that threw is finished too
        throw;
      }
      if (output) {
        remove(node);
        return output;
      }
    }
    cx.waker().wake_by_ref();  // each child had its poll: let others run, then come back
    return pending;
  }
  // ANCHOR_END: poll_next

  /// The future of poll_next: the set must outlive it and stay where it is.
  class Next {
   public:
    using Output = std::optional<Value>;
    explicit Next(FuturesUnordered& set) : set_(&set) {}
    Poll<Output> poll(Context& cx) { return set_->poll_next(cx); }

   private:
    FuturesUnordered* set_;
  };
  Next next() { return Next(*this); }

  /// Calls `fn` with each child that has not finished.
  template <class Fn>
  void for_each(Fn&& fn) {
    for (Node* node = head_; node != nullptr; node = node->next) fn(*node->future);
  }

  /// Drops every child now.
  void clear() {
    while (head_ != nullptr) remove(head_);
  }

 private:
  struct Node;
  struct ReadyQueue {
    std::mutex mutex;
    std::deque<Node*> nodes;      // woken children, each with a reference
    std::optional<Waker> parent;  // the set's newest waker
    bool closed = false;
  };

  // One child. Its waker is the node itself, reference counted: the set holds one reference
  // while the child is in it, the ready queue one while it is queued, each waker clone one.
  struct Node {
    Node(F f, std::shared_ptr<ReadyQueue> q)
        : future(std::in_place, std::move(f)), queue(std::move(q)) {}

    std::atomic<std::size_t> refs{1};
    std::atomic<bool> queued{false};  // on the ready queue, or out of the set for good
    std::optional<F> future;          // touched only by the set's owner
    std::shared_ptr<ReadyQueue> queue;
    Node* prev = nullptr;  // the set's list of children
    Node* next = nullptr;

    void add_ref() noexcept { refs.fetch_add(1, std::memory_order_relaxed); }
    void release() noexcept {
      if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
    }

    void wake() {
      if (queued.exchange(true, std::memory_order_acq_rel)) return;  // queued already
      std::optional<Waker> parent;
      {
        std::lock_guard lock(queue->mutex);
        if (queue->closed) return;
        add_ref();
        queue->nodes.push_back(this);
        parent = queue->parent;
      }
      if (parent) parent->wake_by_ref();
    }

    static Node* of(void const* data) { return const_cast<Node*>(static_cast<Node const*>(data)); }
    static RawWaker clone(void const* data) {
      of(data)->add_ref();
      return {data, &vtable};
    }
    static void wake_owned(void const* data) {
      of(data)->wake();
      of(data)->release();
    }
    static void wake_by_ref(void const* data) { of(data)->wake(); }
    static void drop(void const* data) { of(data)->release(); }
    static constexpr WakerVTable vtable{&clone, &wake_owned, &wake_by_ref, &drop};
  };

  struct NodeRef {
    Node* node;
    ~NodeRef() { node->release(); }
  };

  static std::optional<Value> poll_child(F& future, Context& cx) {
    auto result = future.poll(cx);
    if (result.is_pending()) return std::nullopt;
    if constexpr (std::is_void_v<output_of<F>>) {
      return Value{};
    } else {
      return std::optional<Value>(std::move(result).value());
    }
  }

  Node* pop_ready() {
    std::lock_guard lock(queue_->mutex);
    if (queue_->nodes.empty()) return nullptr;
    Node* node = queue_->nodes.front();
    queue_->nodes.pop_front();
    return node;
  }

  // Takes a child out of the set: its future is destroyed now; the node lives on while a
  // waker or the ready queue still refers to it.
  void remove(Node* node) {
    node->queued.store(true, std::memory_order_release);  // never queue it again
    if (node->prev) node->prev->next = node->next;
    if (node->next) node->next->prev = node->prev;
    if (head_ == node) head_ = node->next;
    --size_;
    node->future.reset();
    node->release();  // the set's reference
  }

  std::shared_ptr<ReadyQueue> queue_;
  Node* head_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace wb
