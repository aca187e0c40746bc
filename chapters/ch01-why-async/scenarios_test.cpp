// Tests for the four scenarios of chapter 1. Each test knows the reason every wrong answer is
// wrong, and a failure prints that reason, so a wrong choice teaches instead of just scoring.
#include <scenarios.hpp>
#include <string>
#include <string_view>
#include <wb/testing/catch.hpp>

namespace {

std::string_view name_of(Approach approach) {
  switch (approach) {
    case Approach::async_tasks:
      return "Approach::async_tasks";
    case Approach::os_threads:
      return "Approach::os_threads";
    case Approach::blocking_off_executor:
      return "Approach::blocking_off_executor";
  }
  return "a value that is none of the three approaches";
}

/// What a scenario's test knows: the answer, and why each of the two other answers is wrong.
struct Scenario {
  std::string_view description;
  Approach answer;
  Approach wrong_1;
  std::string_view why_wrong_1;
  Approach wrong_2;
  std::string_view why_wrong_2;
};

void check_choice(Approach chosen, Scenario const& scenario) {
  if (chosen == scenario.answer) {
    SUCCEED();
    return;
  }
  std::string message = "You chose " + std::string(name_of(chosen)) + " for " +
                        std::string(scenario.description) + ".\n";
  if (chosen == scenario.wrong_1) {
    message += scenario.why_wrong_1;
  } else if (chosen == scenario.wrong_2) {
    message += scenario.why_wrong_2;
  } else {
    message +=
        "Return one of Approach::async_tasks, Approach::os_threads or "
        "Approach::blocking_off_executor.";
  }
  FAIL(message);
}

}  // namespace

TEST_CASE("you chose the right approach for a server with ten thousand WebSocket connections") {
  check_choice(
      websocket_server_10k_connections(),
      {"a server with 10,000 concurrent WebSocket connections", Approach::async_tasks,
       Approach::os_threads,
       "A thread per connection means 10,000 threads, each with a stack of its own (8 MiB of "
       "address space by default on Linux), and a kernel context switch every time a message "
       "arrives on one of them, while almost all of them sit idle, waiting for the network. A "
       "task waiting on a socket is a small state machine of a few hundred bytes that costs "
       "nothing while it waits, and a handful of executor threads can serve all 10,000.",
       Approach::blocking_off_executor,
       "Moving work off the executor is for a blocking call or a heavy computation inside a "
       "program that is otherwise async. The work here is waiting on sockets: make each "
       "connection's read a blocking call on a thread pool and the pool needs a thread for every "
       "idle connection, which is 10,000 threads again. Waiting is the one thing async tasks do "
       "cheaply, so let the tasks do it."});
}

TEST_CASE("you chose the right approach for a CLI tool compressing one large file") {
  check_choice(
      compress_one_large_file(),
      {"a CLI tool compressing one large file", Approach::os_threads, Approach::async_tasks,
       "Compressing one file is CPU-bound work with nothing to wait for, and no other task "
       "wants the thread while it computes. An executor would add state machines, a task queue "
       "and wakers, and buy no concurrency in return: plain code on a thread is faster. To go "
       "faster still, split the file into chunks and compress them on a pool with one thread "
       "per core; that is parallelism, which threads give and async does not.",
       Approach::blocking_off_executor,
       "There is no executor here to protect. Moving CPU work off the executor makes sense when "
       "other tasks must keep running on it meanwhile; a tool that does one computation and "
       "exits has no async part for the compression to be moved away from. Run the work on "
       "threads directly (a pool with one thread per core, each compressing a chunk of the "
       "file)."});
}

TEST_CASE(
    "you chose the right approach for a service querying five databases and merging the results") {
  check_choice(
      query_five_databases_and_merge(),
      {"a service querying five databases and merging the results", Approach::async_tasks,
       Approach::os_threads,
       "The service spends its time waiting on five network round trips, not computing. "
       "Threads can run the five queries side by side, but every query then holds a thread "
       "(a stack, a creation, a join) just to wait, and a busy service handling many requests "
       "at once multiplies that by the number of requests. Five futures joined on an executor "
       "wait for all five answers at once, and the request takes as long as the slowest query.",
       Approach::blocking_off_executor,
       "Sending each blocking query to a thread pool keeps the executor free, but by itself it "
       "does not make the queries overlap: awaited one after another they still take the sum "
       "of five round trips, and every waiting query holds a pool thread. Nothing here is "
       "CPU-heavy; these are five I/O waits that should run concurrently, as five futures "
       "joined together, finishing when the slowest one does."});
}

TEST_CASE("you chose the right approach for a game physics loop at 60 FPS") {
  check_choice(
      physics_loop_at_60_fps(),
      {"a game engine's physics loop at 60 FPS", Approach::os_threads, Approach::async_tasks,
       "A physics step is CPU work with a hard deadline every 16.7 ms. On an executor, "
       "scheduling is cooperative: the step runs only when the task ahead of it reaches an "
       "await point and hands the thread back, so one long task delays the frame and the game "
       "stutters (frame jitter). A thread of its own, or a pool of worker threads for the "
       "simulation, keeps the timing in your hands and lets the kernel preempt whatever is in "
       "the way.",
       Approach::blocking_off_executor,
       "Offloading would make the game loop an async program that hands each physics step to a "
       "thread pool and awaits it: every frame then waits for a wake-up to travel through the "
       "executor's queue, behind whatever else is runnable, and the frame timing jitters. The "
       "loop is CPU-bound and latency-sensitive from end to end, with nothing to wait for "
       "between steps; it belongs on threads of its own, not behind an executor."});
}
