// Deliberately wrong: every step's values are members side by side, each in a std::optional,
// with an enum saying which step is current. Lifetimes are right; the size is their sum.
#pragma once

#include <optional>
#include <pipeline_steps.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <wb/core/contract.hpp>
#include <wb/core/future.hpp>

class Pipeline {
 public:
  using Output = Items;

  explicit Pipeline(std::string url) : fetch_(fetch(std::move(url))) {}

  wb::Poll<Items> poll(wb::Context& cx) {
    for (;;) {
      switch (step_) {
        case Step::fetching: {
          auto response = fetch_->poll(cx);
          if (response.is_pending()) return wb::pending;
          response_.emplace(std::move(response).value());
          body_.emplace(response_->body());
          fetch_.reset();
          step_ = Step::reading_body;
          break;
        }
        case Step::reading_body: {
          auto body = body_->poll(cx);
          if (body.is_pending()) return wb::pending;
          parse_.emplace(parse(std::move(body).value(), response_->content_type()));
          body_.reset();
          response_.reset();
          step_ = Step::parsing;
          break;
        }
        case Step::parsing: {
          auto items = parse_->poll(cx);
          if (items.is_pending()) return wb::pending;
          parse_.reset();
          step_ = Step::done;
          return std::move(items).value();
        }
        case Step::done:
          throw wb::ContractViolation("a Pipeline was polled again after it returned Ready");
      }
    }
  }

  std::string_view state_name() const {
    switch (step_) {
      case Step::fetching:
        return "Fetching";
      case Step::reading_body:
        return "ReadingBody";
      case Step::parsing:
        return "Parsing";
      case Step::done:
        return "Done";
    }
    return "Done";
  }

 private:
  enum class Step { fetching, reading_body, parsing, done };
  Step step_ = Step::fetching;
  std::optional<FetchFuture> fetch_;
  std::optional<Response> response_;
  std::optional<BodyFuture> body_;
  std::optional<ParseFuture> parse_;
};
