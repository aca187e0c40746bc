// wb::testing::GuardedThread — a thread for tests whose body may throw (a WB_TODO in a stub, a
// failed check): the exception is kept and rethrown by join() on the test's thread instead of
// ending the program, and the destructor joins, so a test that fails early never leaves a
// joinable std::thread behind.
#pragma once

#include <exception>
#include <thread>
#include <utility>

namespace wb::testing {

class GuardedThread {
 public:
  template <class Fn>
  explicit GuardedThread(Fn fn)
      : thread_([this, fn = std::move(fn)]() mutable {
          try {
            fn();
          } catch (...) {
            error_ = std::current_exception();
          }
        }) {}
  GuardedThread(GuardedThread const&) = delete;
  GuardedThread& operator=(GuardedThread const&) = delete;
  ~GuardedThread() {
    if (thread_.joinable()) thread_.join();
  }

  /// Wait for the body to finish and rethrow what it threw, if anything.
  void join() {
    if (thread_.joinable()) thread_.join();
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }

 private:
  std::exception_ptr error_;  // before thread_: set by the thread, so it must exist first
  std::thread thread_;
};

}  // namespace wb::testing
