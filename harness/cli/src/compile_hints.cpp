#include "wb/cli/compile_hints.hpp"

#include <array>
#include <regex>

namespace wb::cli {
using namespace wb::run;

namespace {

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

// Compilers quote with '…', ‘…’ or "…": every pattern below accepts each.
constexpr std::string_view quote = "(?:'|‘|’|\"|`)";

struct Pattern {
  std::string_view name;
  std::string_view regex;  // searched in the error's message and its notes, quotes as `quote`
  std::string_view text;
};

// The table of known mistakes, most specific first. Each has a test with GCC's and clang's
// wording (harness/tests/cli/compile_hints_test.cpp).
constexpr std::array patterns{
    Pattern{"no Output",
            "(typename [A-Za-z_:<>]*::Output[Q] is invalid|no type named [Q]Output[Q]|[Q]Output[Q] "
            "is not a member of|no type named [Q]Output[Q] in)",
            "A wb::Future names its result type: put `using Output = T;` inside your future "
            "(the executors and combinators read the type of the value from it)."},
    Pattern{"pending without wb::",
            "([Q]pending[Q] was not declared in this scope|use of undeclared identifier "
            "[Q]pending[Q])",
            "Pending is `wb::pending`, a tag in namespace wb: `return wb::pending;` (after you "
            "have arranged for the waker to be called)."},
    Pattern{"co_await outside a coroutine",
            "(unable to find the promise type for this coroutine|cannot be a coroutine|has no "
            "member named [Q]promise_type[Q])",
            "co_await (or co_return) makes a function a coroutine, and a coroutine's return type "
            "must be one that knows how to run it: return `wb::Task<T>` and end with "
            "`co_return value;`."},
    Pattern{"return in a coroutine",
            "(could not convert [Q][^\\n]*[Q] from [Q][^\\n]*[Q] to [Q]wb::Task<|no viable "
            "conversion from returned value of type [Q][^\\n]*[Q] to function return type "
            "[Q]wb::Task<|return[Q]? statement (is )?not allowed in coroutine)",
            "Inside a coroutine (a function that uses co_await) the value is given back with "
            "`co_return value;` — `return` would have to build the wb::Task itself."},
    Pattern{"poll returns the wrong type",
            "(could not convert [Q][^\\n]*[Q] from [Q][^\\n]*[Q] to [Q]wb::Poll<|no viable "
            "conversion from returned value of type [Q][^\\n]*[Q] to function return type "
            "[Q]wb::Poll<|cannot convert [^\\n]* to [Q]wb::Poll<)",
            "poll returns a wb::Poll<Output>: when the future is done `return "
            "wb::Poll<T>::ready(value);` (or the value itself, converted to the Output type), "
            "and `return wb::pending;` when it is not."},
    Pattern{"awaiting something that is not a future",
            "(awaitable type [Q][^\\n]*[Q] is not a structure|no member named "
            "[Q]await_ready[Q]|no matching function for call to [^\\n]*await_transform)",
            "co_await takes a future — a wb::Future, a wb::Task, a JoinHandle — not a value: did "
            "you await the result of a call that had already finished, or forget to call the "
            "function that makes the future?"},
    Pattern{"a deleted move",
            "(use of deleted function [Q][^\\n]*\\(([^\\n]*)&&\\)[Q]|call to deleted constructor "
            "of|has been explicitly marked deleted here)",
            "This type's move (or copy) is deleted — on purpose when it refers into itself "
            "(chapter 4): build it where it is going to live instead of returning or pushing a "
            "copy, or keep it behind a pointer (std::unique_ptr) and move the pointer."},
    Pattern{"a const Context or Waker",
            "(passing [Q]const wb::(Context|Waker)[Q] as [Q]this[Q] argument discards "
            "qualifiers|binding reference of type [Q]wb::Context&[Q] to [Q]const wb::Context[Q])",
            "poll takes `wb::Context& cx` (not const): the waker inside it is cloned and the "
            "context is handed on to the futures you poll."},
};

std::regex const& compiled(std::size_t index) {
  static auto const all = [] {
    std::array<std::regex, patterns.size()> regexes;
    for (std::size_t i = 0; i < patterns.size(); ++i) {
      std::string source(patterns[i].regex);
      replace_all(source, "[Q]", std::string(quote));
      regexes[i] = std::regex(source, std::regex::ECMAScript | std::regex::optimize);
    }
    return regexes;
  }();
  return all[index];
}

}  // namespace

std::string fold_template_noise(std::string_view text) {
  std::string folded(text);
  replace_all(folded,
              "std::__cxx11::basic_string<char, std::char_traits<char>, "
              "std::allocator<char> >",
              "std::string");
  replace_all(folded, "std::__cxx11::basic_string<char>", "std::string");
  replace_all(folded, "std::basic_string<char>", "std::string");
  replace_all(folded, "std::string >", "std::string>");  // what closed basic_string<char> >
  replace_all(folded, "std::__cxx11::", "std::");
  replace_all(folded, "std::__1::", "std::");
  replace_all(folded, "> >", ">>");
  replace_all(folded, "> >", ">>");  // again: "> > >" needs two passes
  // "[with T = …; U = …]" longer than a line says little a learner can use.
  for (auto at = folded.find("[with "); at != std::string::npos;
       at = folded.find("[with ", at + 1)) {
    int depth = 0;
    std::size_t end = at;
    for (; end < folded.size(); ++end) {
      if (folded[end] == '[') ++depth;
      if (folded[end] == ']' && --depth == 0) break;
    }
    if (end < folded.size() && end - at > 80) folded.replace(at, end - at + 1, "[with …]");
  }
  return folded;
}

std::optional<CompileHint> explain_compile_error(Diagnostic const& error) {
  std::string text = error.message;
  for (auto const& note : error.notes) text += "\n" + note.message;
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    if (std::regex_search(text, compiled(i)))
      return CompileHint{patterns[i].name, patterns[i].text};
  }
  return std::nullopt;
}

}  // namespace wb::cli
