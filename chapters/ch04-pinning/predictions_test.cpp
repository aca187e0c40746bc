// Tests for the "does it compile?" predictions. Each test asks the compiler itself: it compiles
// the snippet (with the compiler and flags that build the workbook, baked in by chapter.cmake),
// compares the result with the prediction, and on a wrong prediction shows what the compiler
// said and why. The snippets are compiled all at once, the first time a prediction needs one.
#include <predictions.hpp>
#include <string>
#include <string_view>
#include <vector>
#include <wb/testing/catch.hpp>
#include <wb/testing/compile_snippets.hpp>

namespace {

struct Snippet {
  std::string_view file;  // in chapters/ch04-pinning/snippets/
  bool compiles;          // what a conforming compiler says
  std::string_view why;   // why it does, or does not, compile
};

// ANCHOR: snippets
Snippet const snippets[] = {
    {"01-vector-of-immovables.cpp", false,
     "A std::vector keeps its elements in one block of memory. When the block is full it "
     "allocates a bigger one and moves every element across, so although emplace_back builds "
     "the new element in place, the elements already there must be movable. Keep immovable "
     "values behind pointers (std::vector<std::unique_ptr<Immovable>>) or in a std::list, "
     "whose nodes never move."},
    {"02-return-a-temporary.cpp", true,
     "Since C++17, returning a prvalue such as Immovable(42) makes no temporary to move from: "
     "the return statement initializes the caller's object directly (guaranteed copy "
     "elision). No move constructor is needed, which is how a function can hand out an "
     "immovable future by value."},
    {"03-return-a-named-local.cpp", false,
     "Returning a local variable by name moves it (or copies it) into the result. The "
     "compiler may leave the move out (NRVO), but it is not required to, so the move "
     "constructor must exist even when it is never called. Return a prvalue instead "
     "(return Immovable(42);) and the value is built in the caller's object."},
    {"04-optional-emplace.cpp", true,
     "std::optional stores its value inside itself, and emplace builds the value right "
     "there from the arguments; reset destroys it in place. Nothing ever moves, so an "
     "immovable type is fine. An optional with emplace is how a state machine gives an "
     "immovable future a slot that starts empty."},
    {"05-lambda-captures-by-copy.cpp", false,
     "A capture by copy ([guard]) gives the lambda a member copy-constructed from guard, and "
     "Immovable's copy constructor is deleted. Capture by reference ([&guard]) when the "
     "lambda does not outlive guard."},
    {"06-std-function-of-move-only-lambda.cpp", false,
     "A std::function can be copied, and copying it copies its target, so it accepts only "
     "copy-constructible callables; a lambda that owns a std::unique_ptr is move-only. C++23's "
     "std::move_only_function lifts the rule. Until then keep move-only callables (and "
     "move-only futures) as their own type, in a template, or behind a std::unique_ptr."},
    {"07-move-a-polled-task.cpp", true,
     "A wb::Task is a handle to a coroutine frame on the heap. Moving the Task moves that "
     "pointer; the frame, with every local and awaited future inside it, stays where it is. "
     "That is why a coroutine may move after its first poll, and why C++ coroutines need no "
     "pinning: the part that must not move never does."},
};
// ANCHOR_END: snippets

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) words.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

std::string snippet_path(Snippet const& snippet) {
  std::string path = WB_SNIPPETS_DIR;
  path += '/';
  path += snippet.file;
  return path;
}

std::vector<wb::testing::CompileOutcome> const& compiled() {
  static auto const outcomes = [] {
    std::vector<std::string> command = {WB_SNIPPET_COMPILER};
    for (auto& flag : split_words(WB_SNIPPET_FLAGS)) command.push_back(std::move(flag));
    command.push_back("-I" + std::string(WB_SNIPPET_INCLUDE_DIR));
    std::vector<std::string> files;
    for (auto const& snippet : snippets) files.push_back(snippet_path(snippet));
    return wb::testing::compile_snippets(command, files);
  }();
  return outcomes;
}

void check_prediction(std::size_t index, bool predicted_to_compile) {
  auto const& snippet = snippets[index];
  auto const& outcome = compiled()[index];
  std::string const name = "snippets/" + std::string(snippet.file);
  if (!outcome.failure.empty())
    FAIL("The workbook could not compile " << name << ": " << outcome.failure);
  if (predicted_to_compile == outcome.compiles) {
    SUCCEED();
    return;
  }
  std::string message;
  if (outcome.compiles) {
    message = "You predicted that " + name + " does not compile, but it compiles.";
  } else {
    message = "You predicted that " + name + " compiles, but it does not. The compiler says:\n  " +
              wb::testing::first_error(outcome.diagnostics, snippet.file);
  }
  if (outcome.compiles == snippet.compiles) message += "\n" + std::string(snippet.why);
  FAIL(message);
}

}  // namespace

TEST_CASE("you predicted whether immovable values can live in a std::vector") {
  check_prediction(0, vector_of_immovables_compiles());
}

TEST_CASE("you predicted whether a function can return an immovable temporary") {
  check_prediction(1, return_a_temporary_compiles());
}

TEST_CASE("you predicted whether a function can return an immovable local by name") {
  check_prediction(2, return_a_named_local_compiles());
}

TEST_CASE("you predicted whether std::optional can build an immovable value in place") {
  check_prediction(3, optional_emplace_compiles());
}

TEST_CASE("you predicted whether a lambda can capture an immovable value by copy") {
  check_prediction(4, lambda_captures_by_copy_compiles());
}

TEST_CASE("you predicted whether std::function can hold a lambda that owns a unique_ptr") {
  check_prediction(5, std_function_of_move_only_lambda_compiles());
}

TEST_CASE("you predicted whether a coroutine task can move after its first poll") {
  check_prediction(6, move_a_polled_task_compiles());
}
