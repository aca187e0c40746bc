// The inspection of what was compiled for one exercise of a submission: its test object (read with
// nm and readelf) and its translation unit preprocessed with its macros (g++ -E -dD), each
// compared with the same built from the course's stub. It finds what no answer to an exercise
// needs and code written to subvert grading does — definitions in the test framework's
// namespaces or of names the framework defines or calls, indirect functions (IFUNC), start-up
// entries, changed macros, inline assembly, raw system calls, the linker's memory bounds, /proc.
// Unlike a search of the text, it sees what token pasting and macros made. A finding is a reason
// to review a submission, never a grade.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace wb::grade {

/// What one compiled translation unit shows.
struct CompiledUnit {
  std::map<std::string, char> defined;  // symbol (mangled) → nm's letter: T, W, i, u …
  std::set<std::string> undefined;      // symbols it refers to without defining them
  /// Bytes of start-up and shut-down tables: ".preinit_array", ".init_array", ".fini_array",
  /// ".ctors", ".dtors" (a section of either name or type counts).
  std::map<std::string, std::uint64_t> startup_bytes;
  std::size_t proc_strings = 0;  // times "/proc/" occurs in the object's bytes

  struct Macro {
    std::string definition;  // the #define line as the preprocessor wrote it
    std::string file;        // where it was defined
  };
  std::map<std::string, Macro> macros;  // as they stand at the end of the unit
  /// What the learner's own lines of the preprocessed unit hold, as findings (see inspect()).
  std::vector<std::string> learner_findings;
  bool truncated = false;  // a tool's output was cut: the unit could not be read whole
};

/// Symbols the test framework's objects and libraries define or refer to.
struct FrameworkSymbols {
  std::set<std::string> defined;   // strong or weak
  std::set<std::string> strong;    // defined strong: not inline, not a template instantiation
  std::set<std::string> referred;  // undefined in them: what they take from elsewhere
};

/// Reads `nm -P` output (of an object, or of archives: their member lines are skipped).
void read_symbols(CompiledUnit& unit, std::string_view nm_output);
void read_symbols(FrameworkSymbols& framework, std::string_view nm_output);
/// Reads `readelf -S -W` output.
void read_sections(CompiledUnit& unit, std::string_view readelf_output);
/// Counts "/proc/" in the object's bytes.
void read_object_bytes(CompiledUnit& unit, std::string_view bytes);
/// Reads `-E -dD` output: the macros at the end, and what lines from files under `learner_dir`
/// (the learner's own files) hold after preprocessing — inline assembly, raw system calls, the
/// test framework's namespaces, /proc strings, macro pragmas.
void read_preprocessed(CompiledUnit& unit, std::string_view text,
                       std::filesystem::path const& learner_dir);

/// The findings, in words, of `submission` against `stub` (the same test built from the
/// course's stub). Macros defined in files under `stub_dir` (the exercise's own stubs) are the
/// learner's to change.
std::vector<std::string> inspect(CompiledUnit const& stub, CompiledUnit const& submission,
                                 FrameworkSymbols const& framework,
                                 std::filesystem::path const& stub_dir);

/// A compiled unit as the grader's cache keeps it, and back (throws when `json` is not one).
nlohmann::json to_json(CompiledUnit const& unit);
CompiledUnit compiled_unit_from_json(nlohmann::json const& json);

/// The namespace of the test framework a mangled C++ name is in ("wb::testing", "wb::oracle",
/// "Catch"), or empty.
std::string_view framework_namespace(std::string_view mangled);

}  // namespace wb::grade
