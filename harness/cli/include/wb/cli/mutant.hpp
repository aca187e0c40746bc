// wb::cli::Mutant — a deliberately wrong version of an exercise (harness/tests/mutants/<chapter
// slug>/<exercise>-<name>/) and its expect.toml: which tests must catch it, and with what words.
// An expect.toml with `correct = true` (and no [[fails]]) marks instead a correct version written
// differently from the reference solution: every test must pass it, so that a check which
// rejects a correct answer is found by verify like a check that misses a wrong one. A mistake
// only ThreadSanitizer can see says `sanitizer = "thread"`; one only AddressSanitizer turns into
// the same failure every run (a use after free) says `sanitizer = "address"`.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace wb::cli {

struct ExpectedFailure {
  std::string test;
  std::string message;  // the failure message must contain this
  /// …or this, where one compiler's program fails the same test in other words (a sanitizer
  /// seeing the mistake before the test does); empty when there is no other.
  std::string or_message;

  bool matches(std::string const& failure) const {
    return failure.find(message) != std::string::npos ||
           (!or_message.empty() && failure.find(or_message) != std::string::npos);
  }
};

struct Mutant {
  std::string exercise;  // "countdown"
  std::string name;      // "never-wakes"
  std::filesystem::path dir;
  std::string about;
  std::vector<ExpectedFailure> fails;
  bool correct = false;  // a correct version written differently: every test must pass
  /// `sanitizer = "thread"`: a mistake only ThreadSanitizer sees (a data race on a plain field);
  /// `"address"`: one whose undefined behaviour only AddressSanitizer makes the same failure
  /// every run (a use after free). Built and verified only in a tree with that sanitizer.
  /// Empty: any tree.
  std::string sanitizer;

  /// Its build target: chNN_mutant_<exercise>_<name with - as _>.
  std::string target(std::string const& chapter_id) const;
};

/// The mutants of one exercise, by folder name; a folder whose expect.toml is missing or broken
/// gives a Mutant with `about` empty and the problem in `problems`.
std::vector<Mutant> find_mutants(std::filesystem::path const& chapter_mutants_dir,
                                 std::string const& exercise, std::vector<std::string>& problems);

}  // namespace wb::cli
