// Snippet 07: a coroutine task polled once, then moved into a std::vector, then polled to the end.
#include <utility>
#include <vector>
#include <wb/core/yield_now.hpp>
#include <wb/task/task.hpp>

wb::Task<int> count_to_three() {
  int count = 0;
  while (count < 3) {
    co_await wb::yield_now();
    ++count;
  }
  co_return count;
}

int main() {
  wb::Context cx(wb::Waker::noop());
  wb::Task<int> task = count_to_three();
  (void)task.poll(cx);  // runs to the first co_await and suspends there

  std::vector<wb::Task<int>> tasks;
  tasks.push_back(std::move(task));  // moved after its first poll
  wb::Poll<int> result = wb::pending;
  while ((result = tasks[0].poll(cx)).is_pending()) {
  }
  return result.value() == 3 ? 0 : 1;
}
