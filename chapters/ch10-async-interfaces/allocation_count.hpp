// Counts the heap allocations made by the calling thread, by replacing the global operator new
// and delete. A test reads the count before and after the code it measures. Include it in one
// source file of a program only: the replacements are definitions, and a program has one set.
// (Given, for the tests: how the chapter measures what each kind of dispatch costs.)
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>

namespace allocation_count {
inline thread_local std::size_t made = 0;

/// Allocations on this thread since it was made.
class Since {
 public:
  std::size_t count() const noexcept { return made - start_; }

 private:
  std::size_t start_ = made;
};
}  // namespace allocation_count

void* operator new(std::size_t size) {
  ++allocation_count::made;
  if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return ::operator new(size); }
void* operator new(std::size_t size, std::nothrow_t const&) noexcept {
  ++allocation_count::made;
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, std::nothrow_t const&) noexcept {
  return ::operator new(size, std::nothrow);
}
// Once these are inlined, GCC sees memory from operator new handed to free() and warns that the
// pair is mismatched; here operator new is malloc, so free is its match.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete[](void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete(void* memory, std::nothrow_t const&) noexcept { std::free(memory); }
void operator delete[](void* memory, std::nothrow_t const&) noexcept { std::free(memory); }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
