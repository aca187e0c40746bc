// wb::signal::block_ctrl_c — blocks SIGINT in the calling thread (and in every thread it starts
// afterwards, which inherit its signal mask), so that Ctrl-C waits in the kernel for
// wb::signal::ctrl_c() to read it instead of ending the program. A process-directed signal goes
// to any thread that does not block it: call this first thing in main, before any thread starts.
// The runtime's own threads are started with SIGINT blocked either way (BlockedCtrlC below).
#pragma once

#include <pthread.h>
#include <signal.h>

namespace wb::signal {

/// Blocks SIGINT in this thread and the threads it starts from now on. Returns false if the
/// mask could not be changed.
inline bool block_ctrl_c() noexcept {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  return pthread_sigmask(SIG_BLOCK, &set, nullptr) == 0;
}

/// While alive, SIGINT is blocked in this thread: threads started meanwhile inherit the block.
/// Restores the previous mask when it goes.
class BlockedCtrlC {
 public:
  BlockedCtrlC() noexcept {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, &previous_);
  }
  ~BlockedCtrlC() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
  BlockedCtrlC(BlockedCtrlC const&) = delete;
  BlockedCtrlC& operator=(BlockedCtrlC const&) = delete;

 private:
  sigset_t previous_;
};

}  // namespace wb::signal
