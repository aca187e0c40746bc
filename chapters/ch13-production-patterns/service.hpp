// The Service concept of the middleware exercise, in the spirit of Rust's Tower: a service
// answers requests asynchronously, and a layer is a service that wraps another one to add one
// concern (a deadline, a limit) without the handler knowing. Errors are values with context.
// (Given, not an exercise.)
#pragma once

#include <chrono>
#include <concepts>
#include <string>
#include <string_view>
#include <utility>
#include <wb/core/expected.hpp>
#include <wb/core/future.hpp>
#include <wb/task/task.hpp>
#include <wb/time/clock.hpp>

// ANCHOR: service_error
/// Why a service gave no response, and what it was doing: a value, not an exception, so that
/// every caller sees in the type that a call can fail.
struct ServiceError {
  enum class Kind {
    timed_out,    // the deadline passed first
    unavailable,  // the service is closed and takes no more calls
    failed,       // the handler itself failed
  };
  Kind kind;
  std::string context;  // outermost first: "GET /report: timed out after 1000 ms"
};

template <class T>
using ServiceResult = wb::Expected<T, ServiceError>;

/// The same error, with what the caller was doing in front: context is added on the way out,
/// by whoever knows it, so the message that reaches the log reads like a story.
inline ServiceError with_context(ServiceError error, std::string_view doing) {
  error.context = std::string(doing) + ": " + error.context;
  return error;
}

inline std::string milliseconds_text(wb::Duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}
// ANCHOR_END: service_error

// ANCHOR: service_concept
/// A service: ready() is Ready (with ok) when a call made now would start without waiting, and
/// call(request) answers one request. Both are futures; a call's future may be dropped, which
/// cancels the call. A service is shared by every call in flight and must outlive them.
template <class S>
concept Service = requires(S& service, typename S::Request request) {
  typename S::Request;
  typename S::Response;
  requires wb::Future<decltype(service.ready())>;
  requires wb::Future<decltype(service.call(std::move(request)))>;
  requires std::same_as<wb::output_of<decltype(service.ready())>, ServiceResult<void>>;
  requires std::same_as<wb::output_of<decltype(service.call(std::move(request)))>,
                        ServiceResult<typename S::Response>>;
};

/// How a client that would rather wait than be turned away uses a service.
template <Service S>
wb::Task<ServiceResult<typename S::Response>> ready_then_call(S& service,
                                                              typename S::Request request) {
  auto ready = co_await service.ready();
  if (!ready) co_return wb::unexpected(std::move(ready.error()));
  co_return co_await service.call(std::move(request));
}
// ANCHOR_END: service_concept
