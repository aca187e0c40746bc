#include "wb/testing/verdict.hpp"

#include <array>
#include <utility>

namespace wb::testing {
namespace {

constexpr std::array<std::pair<Status, std::string_view>, 3> status_names{{
    {Status::pass, "pass"},
    {Status::fail, "fail"},
    {Status::not_started, "not_started"},
}};

// The names are what JSON, the grading cache and the reporter's lines store: never rename one.
constexpr std::array<std::pair<Reason, std::string_view>, 17> reason_names{{
    {Reason::passed, "passed"},
    {Reason::not_started, "not_started"},
    {Reason::assertion, "assertion"},
    {Reason::contract, "contract"},
    {Reason::exception, "exception"},
    {Reason::sanitizer, "sanitizer"},
    {Reason::timed_out, "timed_out"},
    {Reason::watchdog, "watchdog"},
    {Reason::crashed, "crashed"},
    {Reason::exited, "exited"},
    {Reason::too_much_output, "too_much_output"},
    {Reason::out_of_time, "out_of_time"},
    {Reason::skipped, "skipped"},
    {Reason::did_not_run, "did_not_run"},
    {Reason::compile_error, "compile_error"},
    {Reason::memory_limit, "memory_limit"},
    {Reason::not_submitted, "not_submitted"},
}};

}  // namespace

std::string_view to_string(Status status) {
  for (auto const& [value, name] : status_names) {
    if (value == status) return name;
  }
  return "fail";
}

std::optional<Status> status_from_string(std::string_view text) {
  for (auto const& [value, name] : status_names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

std::string_view to_string(Reason reason) {
  for (auto const& [value, name] : reason_names) {
    if (value == reason) return name;
  }
  return "did_not_run";
}

std::optional<Reason> reason_from_string(std::string_view text) {
  for (auto const& [value, name] : reason_names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

std::string message_with_location(Verdict const& verdict) {
  if (verdict.location.empty()) return verdict.message;
  return verdict.message + " (" + verdict.location + ")";
}

}  // namespace wb::testing
