// Deliberately wrong: after each transition it returns Pending without anyone to wake it.
#pragma once

#include <pipeline_steps.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <wb/core/contract.hpp>
#include <wb/core/future.hpp>

/// fetch(url), then response.body(), then parse(body, response.content_type()); Ready with
/// the parsed items.
class Pipeline {
 public:
  using Output = Items;

  explicit Pipeline(std::string url) : state_(Fetching{fetch(std::move(url))}) {}

  wb::Poll<Items> poll(wb::Context& cx) {
    for (;;) {  // each pass polls the current step; a Ready step moves on and loops
      if (auto* fetching = std::get_if<Fetching>(&state_)) {
        auto response = fetching->fetch.poll(cx);
        if (response.is_pending()) return wb::pending;
        Response arrived = std::move(response).value();
        BodyFuture body = arrived.body();
        state_ = ReadingBody{std::move(arrived), std::move(body)};
        return wb::pending;  // "the next poll will pick it up"
      } else if (auto* reading = std::get_if<ReadingBody>(&state_)) {
        auto body = reading->body.poll(cx);
        if (body.is_pending()) return wb::pending;
        ParseFuture parser = parse(std::move(body).value(), reading->response.content_type());
        state_ = Parsing{std::move(parser)};
        return wb::pending;  // "the next poll will pick it up"
      } else if (auto* parsing = std::get_if<Parsing>(&state_)) {
        auto items = parsing->parse.poll(cx);
        if (items.is_pending()) return wb::pending;
        state_ = Done{};  // the parser, and the Body inside it, end here
        return std::move(items).value();
      } else {
        throw wb::ContractViolation("a Pipeline was polled again after it returned Ready");
      }
    }
  }

  /// The state the pipeline is in: "Fetching", "ReadingBody", "Parsing" or "Done".
  std::string_view state_name() const {
    return std::visit([](auto const& state) { return state.name; }, state_);
  }

 private:
  struct Fetching {
    static constexpr std::string_view name = "Fetching";
    FetchFuture fetch;
  };
  struct ReadingBody {
    static constexpr std::string_view name = "ReadingBody";
    Response response;  // kept for its content type, which the parser needs
    BodyFuture body;
  };
  struct Parsing {
    static constexpr std::string_view name = "Parsing";
    ParseFuture parse;  // owns the Body
  };
  struct Done {
    static constexpr std::string_view name = "Done";
  };

  std::variant<Fetching, ReadingBody, Parsing, Done> state_;
};
