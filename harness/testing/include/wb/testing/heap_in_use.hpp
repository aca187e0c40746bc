// wb::testing::heap_in_use — the bytes a test program holds on the heap right now, whatever
// holds them. A test of a rule about memory (backpressure bounds what a pipeline holds) measures
// this, not the instances of one type: the same mistake made with another type (a coroutine
// frame per item, a vector of pending sends) holds memory all the same.
// Under AddressSanitizer or ThreadSanitizer the sanitizer's allocator answers (the bytes the
// program asked for); otherwise glibc's mallinfo2 (bytes in chunks in use, headers included).
#pragma once

#include <cstddef>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define WB_HEAP_FROM_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define WB_HEAP_FROM_SANITIZER 1
#endif
#endif

#ifdef WB_HEAP_FROM_SANITIZER
// Declared here: GCC does not install <sanitizer/allocator_interface.h>, where clang has it.
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#else
#include <malloc.h>
#endif

namespace wb::testing {

inline std::size_t heap_in_use() {
#ifdef WB_HEAP_FROM_SANITIZER
  return __sanitizer_get_current_allocated_bytes();
#else
  auto const info = ::mallinfo2();
  return info.uordblks + info.hblkhd;
#endif
}

}  // namespace wb::testing
