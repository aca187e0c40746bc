// wb::SpawnSite and wb::TaskName — what a task is called in wb::dump_tasks(): the file and line
// where it was spawned, filled in by default, and an optional name given with wb::named("...").
// Both are stored as pointers to static text, so naming a task costs no allocation.
#pragma once

#include <cstddef>
#include <cstdint>

namespace wb {

/// Where a task was spawned. As a defaulted parameter (`SpawnSite where = {}`) it records the
/// caller's file and line. (std::source_location would do the same, but Clang 14 with
/// libstdc++ lacks it; these builtins exist in GCC and Clang alike.)
struct SpawnSite {
  constexpr SpawnSite(char const* file = __builtin_FILE(),
                      std::uint32_t line = __builtin_LINE()) noexcept
      : file(file), line(line) {}
  char const* file;
  std::uint32_t line;
};

/// A task's name for diagnostics, and where it was spawned: `wb::spawn(wb::named("handler"), f)`.
struct TaskName {
  char const* name = nullptr;  // null: unnamed, known by its spawn site alone
  SpawnSite where;
};

/// Names a task. Only a string literal is taken: the task keeps the pointer, not a copy, so
/// the text must live as long as the program (a `std::string`'s c_str() would dangle).
template <std::size_t N>
constexpr TaskName named(char const (&name)[N], SpawnSite where = {}) noexcept {
  return TaskName{name, where};
}

}  // namespace wb
