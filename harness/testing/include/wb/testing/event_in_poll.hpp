// wb::testing::EventInPoll — makes something happen (a flag set, a timer firing) while the wrapped
// future is in the middle of a poll, at a point the test chooses rather than by luck: the moment
// the future copies the waker of poll #`at_poll` to keep it.
//
// How: each poll of the wrapper hands the future a waker of its own (a new one every poll, so
// that a wake of an older one can be told apart and, as under the waker-swap oracle, does not
// reach the executor: only the newest waker counts). The first copy of the waker of poll
// #`at_poll` — the future storing it — starts `event` on a helper thread, waits (however long it
// takes on a busy machine) until that thread is running, then until the event has returned or
// `patience` has passed since it began, and then lets the copy go on. A future that stores its
// waker under the same lock as it checks its condition makes the event wait for that lock (the
// copy is inside it), so the event happens after the store; one that checks, lets go of the lock
// and stores afterwards lets the event run to the end in between, every round, and loses the wake.
// The event thread is joined when that poll returns. Polls before #`at_poll` that return Pending
// are followed by a wake at once, so that poll #`at_poll` comes without waiting.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "wb/core/future.hpp"

namespace wb::testing {

/// What happened, for the test's message.
struct EventInPollRecord {
  std::atomic<bool> event_started{false};       // the future copied the waker of poll #at_poll
  std::atomic<bool> event_done_in_poll{false};  // …and the event returned before the copy went on
  std::atomic<bool> pending_after_event{false};  // that poll then returned Pending
  std::atomic<std::size_t> outdated_wakes{0};    // wakes of a waker handed to an earlier poll
  std::atomic<long long> event_micros{0};        // how long the event took while the poll waited
};

namespace detail {

struct EventInPollShared {
  std::mutex mutex;
  std::optional<Waker> target;  // the executor's waker of the newest poll
  std::uint64_t current = 0;    // generation of the newest poll's waker
  std::shared_ptr<EventInPollRecord> record;
};

struct EventInPollNode {
  std::atomic<std::size_t> handles{1};
  std::shared_ptr<EventInPollShared> shared;
  std::uint64_t generation;
  std::atomic<bool> armed{false};  // the first copy runs the event
  std::function<void()> on_copy;
  std::thread::id polling_thread;

  static EventInPollNode* of(void const* data) {
    return const_cast<EventInPollNode*>(static_cast<EventInPollNode const*>(data));
  }
  static RawWaker clone(void const* data) {
    auto* node = of(data);
    // Only a copy made by the poll itself, on the polling thread, is "in the middle of a poll".
    if (std::this_thread::get_id() == node->polling_thread && node->armed.exchange(false)) {
      node->on_copy();
    }
    node->handles.fetch_add(1, std::memory_order_relaxed);
    return {data, &vtable};
  }
  static void wake(void const* data) {
    wake_by_ref(data);
    drop(data);
  }
  static void wake_by_ref(void const* data) {
    auto* node = of(data);
    std::optional<Waker> target;
    {
      std::lock_guard lock(node->shared->mutex);
      if (node->generation == node->shared->current) {
        target = node->shared->target;
      } else {
        node->shared->record->outdated_wakes.fetch_add(1);
      }
    }
    if (target) target->wake_by_ref();
  }
  static void drop(void const* data) {
    if (of(data)->handles.fetch_sub(1, std::memory_order_acq_rel) == 1) delete of(data);
  }
  static constexpr WakerVTable vtable{&clone, &wake, &wake_by_ref, &drop};
};

}  // namespace detail

template <Future F>
class EventInPoll {
 public:
  using Output = output_of<F>;

  EventInPoll(F inner, std::size_t at_poll, std::function<void()> event,
              std::chrono::milliseconds patience, std::shared_ptr<EventInPollRecord> record)
      : inner_(std::move(inner)),
        at_poll_(at_poll),
        event_(std::move(event)),
        patience_(patience),
        shared_(std::make_shared<detail::EventInPollShared>()) {
    shared_->record = std::move(record);
  }

  Poll<Output> poll(Context& cx) {
    ++polls_;
    auto* node = new detail::EventInPollNode{{1}, shared_, polls_, {}, {}, {}};
    Waker waker{RawWaker{node, &detail::EventInPollNode::vtable}};
    {
      std::lock_guard lock(shared_->mutex);
      shared_->current = polls_;
      shared_->target = cx.waker();
    }
    std::optional<std::thread> event_thread;
    struct JoinOnUnwind {  // a poll that throws must not leave the event's thread joinable
      std::optional<std::thread>& thread;
      ~JoinOnUnwind() {
        if (thread && thread->joinable()) thread->join();
      }
    } join_on_unwind{event_thread};
    if (polls_ == at_poll_) {
      node->on_copy = [this, &event_thread] { run_event(event_thread); };
      node->polling_thread = std::this_thread::get_id();
      node->armed.store(true);
    }
    Context inner_cx(waker);
    auto result = inner_.poll(inner_cx);
    node->armed.store(false);  // a copy made later, by another thread, is no longer "in poll"
    if (event_thread) {
      if (result.is_pending()) shared_->record->pending_after_event.store(true);
      event_thread->join();
      if (event_error_) std::rethrow_exception(std::exchange(event_error_, nullptr));
    }
    if (result.is_pending() && polls_ < at_poll_) cx.waker().wake_by_ref();
    return result;
  }

 private:
  void run_event(std::optional<std::thread>& event_thread) {
    auto& record = *shared_->record;
    record.event_started.store(true);
    auto done = std::make_shared<std::pair<std::mutex, std::condition_variable>>();
    auto begun = std::make_shared<bool>(false);
    auto finished = std::make_shared<bool>(false);
    event_thread.emplace([event = event_, done, begun, finished, error = &event_error_] {
      {
        std::lock_guard lock(done->first);
        *begun = true;
      }
      done->second.notify_all();
      try {
        event();
      } catch (...) {
        *error = std::current_exception();  // read after join(), on the polling thread
      }
      {
        std::lock_guard lock(done->first);
        *finished = true;
      }
      done->second.notify_all();
    });
    // Starting a thread can take long on a loaded machine (or under ThreadSanitizer): that wait
    // has no limit, so the patience counts only the event itself, the same on any machine.
    std::unique_lock lock(done->first);
    done->second.wait(lock, [&] { return *begun; });
    auto const start = std::chrono::steady_clock::now();
    if (done->second.wait_for(lock, patience_, [&] { return *finished; })) {
      record.event_done_in_poll.store(true);
      record.event_micros.store(std::chrono::duration_cast<std::chrono::microseconds>(
                                    std::chrono::steady_clock::now() - start)
                                    .count());
    }
  }

  F inner_;
  std::size_t at_poll_;
  std::function<void()> event_;
  std::chrono::milliseconds patience_;
  std::shared_ptr<detail::EventInPollShared> shared_;
  std::uint64_t polls_ = 0;
  std::exception_ptr event_error_;  // what the event threw (a WB_TODO in set(), say)
};

}  // namespace wb::testing
