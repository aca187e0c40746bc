// The documents the chapter's tests count: five first lines of different lengths, so that their
// lookups (5 ms per word) finish in another order than the one they are listed in. (Given.)
#pragma once

#include <cstddef>
#include <document.hpp>
#include <vector>

inline std::vector<Document> library() {
  std::vector<Document> docs;
  docs.reserve(5);  // built in place: the tests count copies from here on
  docs.emplace_back("The Hobbit", "In a hole in the ground there lived a hobbit");
  docs.emplace_back("Moby-Dick", "Call me Ishmael");
  docs.emplace_back("Neuromancer", "The sky above the port was");
  docs.emplace_back("Nineteen Eighty-Four", "It was a bright cold day in April");
  docs.emplace_back("Ulysses", "Stately plump Buck Mulligan");
  return docs;
}

/// The word counts of library(), in its order.
inline std::vector<std::size_t> library_counts() { return {10, 3, 6, 8, 4}; }
