// wb::RunQueue<T> — a first-in first-out queue on a ring buffer that doubles when full and keeps
// its memory when emptied: the run queue of an executor, where the same few slots are pushed and
// popped millions of times and a std::deque would allocate and free blocks all along.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace wb {

template <class T>
class RunQueue {
 public:
  bool empty() const noexcept { return size_ == 0; }
  std::size_t size() const noexcept { return size_; }

  void push_back(T value) {
    if (size_ == slots_.size()) grow();
    slots_[(head_ + size_) & (slots_.size() - 1)] = std::move(value);
    ++size_;
  }

  /// The oldest element, moved out. The queue must not be empty.
  T pop_front() {
    T value = std::move(slots_[head_]);
    head_ = (head_ + 1) & (slots_.size() - 1);
    --size_;
    return value;
  }

  void clear() {
    while (!empty()) pop_front();
  }

 private:
  void grow() {
    std::vector<T> bigger(slots_.empty() ? 64 : slots_.size() * 2);  // a power of two
    for (std::size_t i = 0; i < size_; ++i) bigger[i] = pop_at(i);
    slots_ = std::move(bigger);
    head_ = 0;
  }
  T pop_at(std::size_t i) { return std::move(slots_[(head_ + i) & (slots_.size() - 1)]); }

  std::vector<T> slots_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace wb
