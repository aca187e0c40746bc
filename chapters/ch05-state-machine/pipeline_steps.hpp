// The three steps of chapter 5's pipeline, ready-made: fetch(url) answers a Response,
// response.body() reads its Body, parse(body, content_type) splits it into items. Each value
// and each step's future counts its live instances, so the tests can see which of them a state
// machine still holds after every poll. You use this file; you do not edit it.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>
#include <wb/core/contract.hpp>
#include <wb/core/future.hpp>

/// Counts the live objects of T: constructed (in any way, moves included) minus destroyed.
template <class T>
class LiveCount {
 public:
  static int live() noexcept { return live_.load(); }

 protected:
  LiveCount() noexcept { ++live_; }
  LiveCount(LiveCount const&) noexcept { ++live_; }
  LiveCount(LiveCount&&) noexcept { ++live_; }
  LiveCount& operator=(LiveCount const&) noexcept = default;
  LiveCount& operator=(LiveCount&&) noexcept = default;
  ~LiveCount() { --live_; }

 private:
  static inline std::atomic<int> live_{0};
};

namespace pipeline_detail {
inline std::string polled_again(std::string_view future, std::string_view output) {
  return "a " + std::string(future) + " was polled again after it had returned its " +
         std::string(output) +
         ": once a step is Ready, move its output on and leave the state that held it";
}
}  // namespace pipeline_detail

/// The parsed body: one string per item.
using Items = std::vector<std::string>;

/// A response body, read to the end.
class Body : public LiveCount<Body> {
 public:
  explicit Body(std::string text) : text_(std::move(text)) {}
  std::string const& text() const { return text_; }

 private:
  std::string text_;
};

// ANCHOR: futures
/// Reads a response's body. Pending once (waking itself, as a read that needs one more round
/// trip), then Ready with the Body. It holds a read buffer, as a socket reader would.
class BodyFuture : public LiveCount<BodyFuture> {
 public:
  using Output = Body;

  explicit BodyFuture(std::string on_the_wire) : on_the_wire_(std::move(on_the_wire)) {}

  wb::Poll<Body> poll(wb::Context& cx) {
    if (finished_) throw wb::ContractViolation(pipeline_detail::polled_again("BodyFuture", "Body"));
    if (!waited_) {
      waited_ = true;
      cx.waker().wake_by_ref();
      return wb::pending;
    }
    finished_ = true;
    return Body(std::move(on_the_wire_));
  }

 private:
  std::string on_the_wire_;
  [[maybe_unused]] std::array<char, 256> read_buffer_{};  // its size is the point here
  bool waited_ = false;
  bool finished_ = false;
};

/// What fetch() answers: a status, a content type, the raw header block (kept inline, as many
/// HTTP clients do) and a body that is still to be read with body().
class Response : public LiveCount<Response> {
 public:
  Response(int status, std::string content_type, std::string body_on_the_wire)
      : status_(status),
        content_type_(std::move(content_type)),
        body_on_the_wire_(std::move(body_on_the_wire)) {
    auto const head = "HTTP/1.1 " + std::to_string(status_) + "\r\nContent-Type: " + content_type_;
    std::memcpy(raw_headers_.data(), head.data(), std::min(head.size(), raw_headers_.size()));
  }

  int status() const { return status_; }
  std::string_view raw_headers() const {
    return {raw_headers_.data(), ::strnlen(raw_headers_.data(), raw_headers_.size())};
  }
  std::string const& content_type() const { return content_type_; }
  /// A future that reads the body. It needs nothing from the Response once made.
  BodyFuture body() const { return BodyFuture(body_on_the_wire_); }

 private:
  int status_;
  std::string content_type_;
  std::string body_on_the_wire_;
  std::array<char, 256> raw_headers_{};
};

/// Fetches a URL. "mem://" URLs answer from memory: Pending once (waking itself), then Ready.
/// "net://" URLs answer from a helper thread a couple of milliseconds after the first poll,
/// which wakes the newest waker. The paths: "numbers" (text/csv), "words" (text/plain).
class FetchFuture : public LiveCount<FetchFuture> {
 public:
  using Output = Response;

  explicit FetchFuture(std::string url) : url_(std::move(url)) {}

  wb::Poll<Response> poll(wb::Context& cx) {
    if (finished_)
      throw wb::ContractViolation(pipeline_detail::polled_again("FetchFuture", "Response"));
    if (url_.starts_with("net://")) {
      if (!arrival_) arrival_ = std::make_shared<Arrival>();
      std::lock_guard lock(arrival_->mutex);
      if (arrival_->arrived) return answer();
      if (!arrival_->waker || !arrival_->waker->will_wake(cx.waker())) arrival_->waker = cx.waker();
      if (!arrival_->started) {
        arrival_->started = true;
        std::thread([arrival = arrival_] {
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
          std::optional<wb::Waker> waker;
          {
            std::lock_guard lock(arrival->mutex);
            arrival->arrived = true;
            waker.swap(arrival->waker);
          }
          if (waker) std::move(*waker).wake();
        }).detach();
      }
      return wb::pending;
    }
    if (!waited_) {
      waited_ = true;
      cx.waker().wake_by_ref();
      return wb::pending;
    }
    return answer();
  }

 private:
  struct Arrival {
    std::mutex mutex;
    bool started = false;
    bool arrived = false;
    std::optional<wb::Waker> waker;
  };

  Response answer() {
    finished_ = true;
    auto const path = std::string_view(url_).substr(url_.find("://") + 3);
    if (path == "numbers") return Response(200, "text/csv", "3,1,4,1,5,9");
    if (path == "words") return Response(200, "text/plain", "to be or not to be");
    return Response(404, "text/plain", "not found");
  }

  std::string url_;
  std::shared_ptr<Arrival> arrival_;  // net:// only: shared with the helper thread
  bool waited_ = false;
  bool finished_ = false;
};

/// Splits a Body into items: at commas for "text/csv", at spaces otherwise. It owns the Body
/// while it works, and a small table of token offsets. Pending once (waking itself), then Ready.
class ParseFuture : public LiveCount<ParseFuture> {
 public:
  using Output = Items;

  ParseFuture(Body body, std::string content_type)
      : body_(std::move(body)), content_type_(std::move(content_type)) {}

  wb::Poll<Items> poll(wb::Context& cx) {
    if (finished_)
      throw wb::ContractViolation(pipeline_detail::polled_again("ParseFuture", "items"));
    if (!waited_) {
      waited_ = true;
      cx.waker().wake_by_ref();
      return wb::pending;
    }
    finished_ = true;
    char const separator = content_type_ == "text/csv" ? ',' : ' ';
    Items items;
    std::string_view rest = body_.text();
    while (!rest.empty()) {
      auto const end = rest.find(separator);
      if (end != 0) items.emplace_back(rest.substr(0, end));
      rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
    }
    return items;
  }

 private:
  Body body_;
  std::string content_type_;
  [[maybe_unused]] std::array<std::uint32_t, 32> token_offsets_{};  // its size is the point here
  bool waited_ = false;
  bool finished_ = false;
};

/// The three steps, as the pipeline calls them.
inline FetchFuture fetch(std::string url) { return FetchFuture(std::move(url)); }
inline ParseFuture parse(Body body, std::string content_type) {
  return ParseFuture(std::move(body), std::move(content_type));
}
// ANCHOR_END: futures
