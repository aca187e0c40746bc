// What a compiler error means in the workbook's terms: long standard-library names and template
// parameter lists folded to what the learner wrote, and, for the mistakes learners make most
// (a future without Output, poll returning the wrong type, a missing wb::pending, co_await
// outside a coroutine, a deleted move, ...), one sentence on the rule and the fix.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "wb/run/compiler_log.hpp"

namespace wb::cli {

/// `text` with library spellings folded: `std::__cxx11::basic_string<char>` is `std::string`,
/// `std::__cxx11::` is `std::`, `> >` is `>>`, and a `[with T = …]` list longer than a line is
/// `[with …]`.
std::string fold_template_noise(std::string_view text);

/// A known mistake the error (with its notes) matches.
struct CompileHint {
  std::string_view name;  // "no Output", for tests and logs
  std::string_view text;  // what to tell the learner
};

/// The first known mistake `error` matches — GCC's and clang's wordings alike — if any.
std::optional<CompileHint> explain_compile_error(run::Diagnostic const& error);

}  // namespace wb::cli
