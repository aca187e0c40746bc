// wb::oracle::CheckedMutex — a std::mutex with a name that keeps a per-thread list of the checked
// locks held right now, so that a check can notice a lock still held when a task suspends (see
// held_across_suspension.hpp). It is Lockable: std::lock_guard and std::unique_lock work as usual.
#pragma once

#include <algorithm>
#include <cstddef>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace wb::oracle {

class CheckedMutex;

namespace detail {
/// The checked locks this thread holds, oldest first. A lock taken on one thread and released
/// on another (undefined behaviour for a std::mutex) is simply not found on the second.
inline std::vector<CheckedMutex const*>& held_on_this_thread() {
  static thread_local std::vector<CheckedMutex const*> held;
  return held;
}
}  // namespace detail

// ANCHOR: checked_mutex
class CheckedMutex {
 public:
  /// `name` is how verdicts refer to the lock: "a lock on `results`".
  explicit CheckedMutex(std::string name) : name_(std::move(name)) {}
  CheckedMutex(CheckedMutex const&) = delete;
  CheckedMutex& operator=(CheckedMutex const&) = delete;

  void lock() {
    mutex_.lock();
    detail::held_on_this_thread().push_back(this);
  }
  bool try_lock() {
    if (!mutex_.try_lock()) return false;
    detail::held_on_this_thread().push_back(this);
    return true;
  }
  void unlock() {
    auto& held = detail::held_on_this_thread();
    if (auto it = std::find(held.rbegin(), held.rend(), this); it != held.rend()) {
      held.erase(std::next(it).base());
    }
    mutex_.unlock();
  }

  std::string const& name() const noexcept { return name_; }

 private:
  std::mutex mutex_;
  std::string name_;
};
// ANCHOR_END: checked_mutex

/// How many checked locks this thread holds right now.
inline std::size_t checked_locks_held() { return detail::held_on_this_thread().size(); }

/// The names of the checked locks this thread holds, from the `skip`-th oldest on.
inline std::vector<std::string> checked_lock_names(std::size_t skip = 0) {
  std::vector<std::string> names;
  auto const& held = detail::held_on_this_thread();
  for (std::size_t i = skip; i < held.size(); ++i) names.push_back(held[i]->name());
  return names;
}

}  // namespace wb::oracle
