// wb::TaskOutput<T> and wb::TaskAborted — the outcome of a task of output T, as its JoinHandle
// reads it: the output, the exception the future threw, or that it was cancelled.
#pragma once

#include <cstddef>
#include <exception>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

#include "wb/task/task_header.hpp"

namespace wb {

/// Thrown when awaiting the JoinHandle of a task that was aborted (or whose runtime shut down)
/// before it finished.
class TaskAborted : public std::runtime_error {
 public:
  TaskAborted() : std::runtime_error("the task was aborted before it finished") {}
};

/// The outcome of a task of output T, as its JoinHandle reads it.
template <class T>
class TaskOutput : public TaskHeader {
 public:
  /// Cancelled before it finished, the output, or the exception the future threw. Indexes,
  /// not types, tell them apart, so that any T works (even std::exception_ptr).
  using Stored = std::conditional_t<std::is_void_v<T>, std::monostate, T>;
  using Outcome = std::variant<std::monostate, Stored, std::exception_ptr>;
  static constexpr std::size_t cancelled = 0, finished = 1, failed = 2;

  /// The output, or the task's exception rethrown, or TaskAborted. Once, after completion.
  T take() {
    auto& outcome = *static_cast<Outcome*>(this->outcome());
    if (outcome.index() == failed) {
      // Moved out, not copied: the exception is then freed by whoever handles it, on that thread,
      // rather than by the last thread to let go of the task (a count inside libstdc++ that
      // ThreadSanitizer cannot see would be all that orders the two).
      std::rethrow_exception(std::exchange(std::get<failed>(outcome), nullptr));
    }
    if (outcome.index() == cancelled) throw TaskAborted();
    if constexpr (!std::is_void_v<T>) return std::move(std::get<finished>(outcome));
  }

 protected:
  using TaskHeader::TaskHeader;
};

}  // namespace wb
