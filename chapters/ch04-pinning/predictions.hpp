// Exercise: does it compile? Seven short snippets in chapters/ch04-pinning/snippets/ move, copy
// and build in place values that cannot move. Read each one and predict, without compiling it,
// whether the compiler accepts it: replace each WB_TODO with `return true;` (it compiles) or
// `return false;` (it does not). The test compiles every snippet and tells you what the compiler
// said. Read book/src/ch04-pinning.md first.
// Check your work with:  scripts/workbook check ch04
#pragma once

#include <wb/core/contract.hpp>

/// snippets/01-vector-of-immovables.cpp
inline bool vector_of_immovables_compiles() {
  WB_TODO(
      "read snippets/01-vector-of-immovables.cpp, then return true if it compiles, false if not");
}

/// snippets/02-return-a-temporary.cpp
inline bool return_a_temporary_compiles() {
  WB_TODO("read snippets/02-return-a-temporary.cpp, then return true if it compiles, false if not");
}

/// snippets/03-return-a-named-local.cpp
inline bool return_a_named_local_compiles() {
  WB_TODO(
      "read snippets/03-return-a-named-local.cpp, then return true if it compiles, false if not");
}

/// snippets/04-optional-emplace.cpp
inline bool optional_emplace_compiles() {
  WB_TODO("read snippets/04-optional-emplace.cpp, then return true if it compiles, false if not");
}

/// snippets/05-lambda-captures-by-copy.cpp
inline bool lambda_captures_by_copy_compiles() {
  WB_TODO(
      "read snippets/05-lambda-captures-by-copy.cpp, then return true if it compiles, false if "
      "not");
}

/// snippets/06-std-function-of-move-only-lambda.cpp
inline bool std_function_of_move_only_lambda_compiles() {
  WB_TODO(
      "read snippets/06-std-function-of-move-only-lambda.cpp, then return true if it compiles, "
      "false if not");
}

/// snippets/07-move-a-polled-task.cpp
inline bool move_a_polled_task_compiles() {
  WB_TODO("read snippets/07-move-a-polled-task.cpp, then return true if it compiles, false if not");
}
