// The compile-error explanations: each known mistake is recognised in GCC 12's and clang 14's
// wording (the messages below are what they print for the mistake), and unrelated errors get
// no explanation.
#include "wb/cli/compile_hints.hpp"

#include <string>
#include <vector>

#include "wb/run/compiler_log.hpp"
#include "wb/testing/catch.hpp"

namespace {

using wb::cli::explain_compile_error;
using wb::run::Diagnostic;

Diagnostic error_with(std::string message, std::vector<std::string> notes = {}) {
  Diagnostic error;
  error.file = "chapters/ch02-future-concept/countdown.hpp";
  error.line = 12;
  error.severity = "error";
  error.message = std::move(message);
  for (auto& text : notes) {
    Diagnostic note;
    note.severity = "note";
    note.message = std::move(text);
    error.notes.push_back(std::move(note));
  }
  return error;
}

std::string explained(Diagnostic const& error) {
  auto const hint = explain_compile_error(error);
  return hint ? std::string(hint->name) : std::string("(none)");
}

}  // namespace

TEST_CASE("a future without Output is explained in GCC's and clang's words") {
  CHECK(explained(error_with("static assertion failed",
                             {"constraints not satisfied",
                              "the required type \u2018typename F::Output\u2019 is invalid"})) ==
        "no Output");
  CHECK(explained(error_with("static_assert failed",
                             {"because 'NoOutput' does not satisfy 'Future'",
                              "because 'typename F::Output' would be invalid: no type named "
                              "'Output' in 'NoOutput'"})) == "no Output");
}

TEST_CASE("poll returning something that is not a Poll is explained") {
  CHECK(explained(error_with("could not convert \u201842\u2019 from \u2018int\u2019 to "
                             "\u2018wb::Poll<std::__cxx11::basic_string<char> >\u2019")) ==
        "poll returns the wrong type");
  CHECK(explained(error_with("no viable conversion from returned value of type 'int' to function "
                             "return type 'wb::Poll<std::string>' (aka "
                             "'Poll<basic_string<char>>')")) == "poll returns the wrong type");
}

TEST_CASE("pending without its namespace is explained") {
  CHECK(explained(error_with("\u2018pending\u2019 was not declared in this scope; did you mean "
                             "\u2018wb::pending\u2019?")) == "pending without wb::");
  CHECK(explained(error_with("use of undeclared identifier 'pending'; did you mean "
                             "'wb::pending'?")) == "pending without wb::");
}

TEST_CASE("co_await in a function that is not a coroutine is explained") {
  CHECK(explained(error_with("unable to find the promise type for this coroutine")) ==
        "co_await outside a coroutine");
  CHECK(explained(error_with("this function cannot be a coroutine: 'std::coroutine_traits<int>' "
                             "has no member named 'promise_type'")) ==
        "co_await outside a coroutine");
}

TEST_CASE("return instead of co_return in a Task is explained") {
  CHECK(explained(error_with("could not convert \u2018x\u2019 from \u2018int\u2019 to "
                             "\u2018wb::Task<int>\u2019")) == "return in a coroutine");
  CHECK(explained(error_with("no viable conversion from returned value of type 'int' to function "
                             "return type 'wb::Task<int>'")) == "return in a coroutine");
}

TEST_CASE("awaiting a value instead of a future is explained") {
  CHECK(explained(error_with("awaitable type \u2018int\u2019 is not a structure")) ==
        "awaiting something that is not a future");
  CHECK(explained(error_with("no member named 'await_ready' in 'Foo'")) ==
        "awaiting something that is not a future");
}

TEST_CASE("a deleted move constructor is explained as chapter 4 teaches it") {
  CHECK(explained(error_with("use of deleted function \u2018Parser::Parser(Parser&&)\u2019",
                             {"declared here"})) == "a deleted move");
  CHECK(explained(error_with("call to deleted constructor of 'Parser'",
                             {"'Parser' has been explicitly marked deleted here"})) ==
        "a deleted move");
}

TEST_CASE("an error no pattern knows gets no explanation") {
  CHECK(explained(error_with("expected \u2018;\u2019 before \u2018}\u2019 token")) == "(none)");
  CHECK(explained(error_with("use of undeclared identifier 'count'")) == "(none)");
}

TEST_CASE("library spellings are folded to what the learner wrote") {
  using wb::cli::fold_template_noise;
  CHECK(fold_template_noise("to \u2018wb::Poll<std::__cxx11::basic_string<char> >\u2019") ==
        "to \u2018wb::Poll<std::string>\u2019");
  CHECK(fold_template_noise("std::vector<std::optional<int> > >") ==
        "std::vector<std::optional<int>>>");
  std::string const long_with =
      "in instantiation of f() [with T = wb::Poll<std::tuple<int, int, int, int, int, int, int, "
      "int, int, int, int>>; U = std::vector<int>]";
  CHECK(fold_template_noise(long_with) == "in instantiation of f() [with …]");
  CHECK(fold_template_noise("f() [with T = int]") == "f() [with T = int]");
}
