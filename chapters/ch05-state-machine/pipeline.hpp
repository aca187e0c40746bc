// Exercise: the state machine a coroutine compiler would write for you, written by hand.
// The pipeline fetches a URL, reads the response's body, and parses it into items: three
// steps, each a future from pipeline_steps.hpp. Pipeline keeps exactly one state at a time in a
// std::variant, and each state holds only what is still needed from there on.
// Read book/src/ch05-state-machine.md, then fill in the states and replace the WB_TODO.
// Check your work with:  scripts/workbook check ch05
#pragma once

#include <pipeline_steps.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <wb/core/contract.hpp>
#include <wb/core/future.hpp>

// ANCHOR: pipeline
/// fetch(url), then response.body(), then parse(body, response.content_type()); Ready with
/// the parsed items.
class Pipeline {
 public:
  using Output = Items;

  explicit Pipeline(std::string url) : state_(Fetching{fetch(std::move(url))}) {}

  wb::Poll<Items> poll(wb::Context& cx) {
    (void)cx;
    WB_TODO(
        "poll the future of the current state; when it is Ready, build the next state from "
        "its output (state_ = Next{...}) and go on polling in the same call; "
        "return Pending only when the current step is Pending");
  }

  /// The state the pipeline is in: "Fetching", "ReadingBody", "Parsing" or "Done".
  std::string_view state_name() const {
    return std::visit([](auto const& state) { return state.name; }, state_);
  }

 private:
  // One struct per state. Each holds what the pipeline needs while it is in that state, and
  // nothing it no longer needs.
  struct Fetching {
    static constexpr std::string_view name = "Fetching";
    FetchFuture fetch;
  };
  struct ReadingBody {
    static constexpr std::string_view name = "ReadingBody";
    // What does the pipeline need while the body is read, and afterwards to parse it?
  };
  struct Parsing {
    static constexpr std::string_view name = "Parsing";
    // What does the pipeline need while the body is parsed?
  };
  struct Done {
    static constexpr std::string_view name = "Done";
  };

  std::variant<Fetching, ReadingBody, Parsing, Done> state_;
};
// ANCHOR_END: pipeline
