// Deliberately wrong: one prediction of the seven is wrong.
#pragma once

/// snippets/01-vector-of-immovables.cpp — a vector moves its elements when it grows.
inline bool vector_of_immovables_compiles() { return false; }

/// snippets/02-return-a-temporary.cpp — a returned prvalue is built in the caller's object.
inline bool return_a_temporary_compiles() { return false; }

/// snippets/03-return-a-named-local.cpp — a named local needs a move (or copy) to be returned.
inline bool return_a_named_local_compiles() { return false; }

/// snippets/04-optional-emplace.cpp — emplace builds the value where it will stay.
inline bool optional_emplace_compiles() { return true; }

/// snippets/05-lambda-captures-by-copy.cpp — capturing by copy copies.
inline bool lambda_captures_by_copy_compiles() { return false; }

/// snippets/06-std-function-of-move-only-lambda.cpp — std::function needs a copyable target.
inline bool std_function_of_move_only_lambda_compiles() { return false; }

/// snippets/07-move-a-polled-task.cpp — a Task is a handle; its frame stays on the heap.
inline bool move_a_polled_task_compiles() { return true; }
