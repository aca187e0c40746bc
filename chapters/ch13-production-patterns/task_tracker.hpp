// TaskTracker — counts the tasks spawned through it and lets anyone wait until all of them have
// ended: the "wait for in-flight work" half of a graceful shutdown. Unlike a JoinSet it keeps
// no outputs, so a server can run for months with it and hold nothing for finished tasks.
// (Given, not an exercise.)
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <utility>
#include <wb/core/future.hpp>
#include <wb/sync/notify.hpp>
#include <wb/task/join_handle.hpp>
#include <wb/task/spawn.hpp>
#include <wb/task/task.hpp>

// ANCHOR: task_tracker
class TaskTracker {
 public:
  TaskTracker() : state_(std::make_shared<State>()) {}

  /// Spawns `future` as a task that counts as live until its future is destroyed: when it
  /// finishes, and also when it is aborted.
  template <wb::Future F>
  wb::JoinHandle<wb::output_of<F>> spawn(F future) {
    return wb::spawn(tracked(std::move(future), Token(state_)));
  }

  /// Says that no more tasks will be added: from now on, wait() ends once none is live.
  void close() {
    {
      std::lock_guard lock(state_->mutex);
      state_->closed = true;
    }
    state_->changed.notify_waiters();
  }

  /// Ready once the tracker is closed and every task spawned through it has ended.
  wb::Task<void> wait() const { return wait_until_done(state_); }

  /// Tasks spawned through the tracker that have not ended yet.
  std::size_t live() const {
    std::lock_guard lock(state_->mutex);
    return state_->live;
  }

 private:
  struct State {
    std::mutex mutex;
    std::size_t live = 0;
    bool closed = false;
    wb::Notify changed;  // notified when `closed` is set and when `live` drops to 0
  };

  /// Counts one task as live for as long as it exists; it lives in the task's own frame, so
  /// the task's end, however it comes, is the token's end.
  class Token {
   public:
    explicit Token(std::shared_ptr<State> state) : state_(std::move(state)) {
      std::lock_guard lock(state_->mutex);
      ++state_->live;
    }
    Token(Token&& other) noexcept : state_(std::move(other.state_)) {}
    Token& operator=(Token&&) = delete;
    ~Token() {
      if (!state_) return;
      bool last = false;
      {
        std::lock_guard lock(state_->mutex);
        last = --state_->live == 0;
      }
      if (last) state_->changed.notify_waiters();
    }

   private:
    std::shared_ptr<State> state_;
  };

  template <wb::Future F>
  static wb::Task<wb::output_of<F>> tracked(F future, Token token) {
    (void)token;  // alive until this frame is destroyed
    co_return co_await std::move(future);
  }

  static wb::Task<void> wait_until_done(std::shared_ptr<State> state) {
    for (;;) {
      // Made before the check, so a notification that comes after the check still reaches it.
      auto changed = state->changed.notified();
      {
        std::lock_guard lock(state->mutex);
        if (state->closed && state->live == 0) co_return;
      }
      co_await changed;
    }
  }

  std::shared_ptr<State> state_;
};
// ANCHOR_END: task_tracker
