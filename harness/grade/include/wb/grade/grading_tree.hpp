// The build tree `workbook grade` compiles submissions with. It is an ordinary configured tree
// (build/debug by default): its runtime, Catch2 main, oracles and precompiled header are built
// once, and for each exercise the compile and link commands CMake wrote for the stub target are
// taken from ninja and re-aimed — the exercise's header folder goes first on the include path,
// the object and program go to the submission's own folder. So a submission costs one compile
// of each exercise's test file and one link, nothing else, and no build tree is shared between
// submissions.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "wb/course/manifest.hpp"

namespace wb::grade {

/// The commands that build one exercise's test program from the stub.
struct ExerciseCommands {
  std::vector<std::string> compile;   // ends with "-c <test file>"; "-o" names the object
  std::vector<std::string> link;      // the object in, "-o" the program
  std::filesystem::path test_file;    // chapters/<slug>/<exercise>_test.cpp
  std::filesystem::path chapter_dir;  // the -I folder the stub headers come from
};

struct GradingTree {
  std::filesystem::path build_dir;
  bool address_sanitizer = false;  // programs need ASan's memory limit, not RLIMIT_AS
  std::map<std::string, ExerciseCommands> exercises;  // by target ("ch02_countdown")
  /// Changes whenever what a grade depends on in the tree changes (the libraries, the
  /// precompiled header): part of every cache key.
  std::string fingerprint;
  /// What a sandboxed compiler, linker and test program must see of the tree, read-only.
  std::vector<std::filesystem::path> shared_paths;
  /// The Catch2 main's object (with the reporter), taken out of its library so that it is
  /// linked ahead of the learner's object: its .preinit_array entry, which reads the result key,
  /// then runs before any of theirs. Empty when it could not be found (the library is used).
  std::filesystem::path main_object;
  /// Every object of the framework's own libraries (the result lines and their signing, the
  /// oracles), taken out of them and linked as objects too: a learner's own definition of one
  /// of their functions is then a second definition, a link error, instead of the one the linker
  /// takes while it leaves the library's member out (a replaced sign_line would sign any line).
  std::vector<std::filesystem::path> framework_objects;

  /// The compile command for `target` aimed at `overlay` (first on the include path) and
  /// writing `object`.
  std::vector<std::string> compile_command(std::string const& target,
                                           std::filesystem::path const& overlay,
                                           std::filesystem::path const& object) const;
  /// The link command for `target` reading `object` and writing `program`.
  std::vector<std::string> link_command(std::string const& target,
                                        std::filesystem::path const& object,
                                        std::filesystem::path const& program) const;
};

/// Splits a shell command line into words as /bin/sh would (quotes and backslashes), for the
/// commands ninja prints; ": && cmd && :" wrappers are left to the caller.
std::vector<std::string> split_shell_words(std::string_view line);

/// Reads the commands of `targets` (chNN_<exercise>) from a configured, built tree; nothing and
/// `error` set when the tree cannot be used.
std::optional<GradingTree> read_grading_tree(std::filesystem::path const& build_dir,
                                             std::filesystem::path const& root,
                                             std::vector<std::string> const& targets,
                                             std::string& error);

}  // namespace wb::grade
