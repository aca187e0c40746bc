// Reference solution: the store actor — a loop over the request channel that owns the map and
// answers on each request's oneshot, and a handle whose calls send a request and await its reply.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <store_messages.hpp>
#include <string>
#include <utility>
#include <variant>
#include <wb/core/contract.hpp>
#include <wb/core/expected.hpp>
#include <wb/sync/mpsc.hpp>
#include <wb/sync/oneshot.hpp>
#include <wb/task/task.hpp>

// ANCHOR: run_store
inline wb::Task<std::size_t> run_store(wb::mpsc::Receiver<Request> requests) {
  std::map<std::string, std::string> data;  // owned by this task alone: no lock
  std::size_t answered = 0;
  while (auto request = co_await requests.recv()) {  // Closed: every sender is gone
    Reply previous;
    if (auto* get = std::get_if<Get>(&*request)) {
      if (auto found = data.find(get->key); found != data.end()) previous = found->second;
      // A client that stopped waiting has dropped its receiver: the send fails, and the store
      // goes on with the next request.
      (void)get->reply.send(std::move(previous));
    } else {
      auto& set = std::get<Set>(*request);
      if (auto found = data.find(set.key); found != data.end()) {
        previous = std::exchange(found->second, std::move(set.value));
      } else {
        data.emplace(std::move(set.key), std::move(set.value));
      }
      (void)set.reply.send(std::move(previous));
    }
    ++answered;
  }
  co_return answered;
}
// ANCHOR_END: run_store

// ANCHOR: store_handle
class StoreHandle {
 public:
  explicit StoreHandle(wb::mpsc::Sender<Request> requests) : requests_(std::move(requests)) {}

  wb::Task<Answer> get(std::string key) {
    auto reply = wb::oneshot::channel<Reply>();
    Request request(Get{std::move(key), std::move(reply.first)});
    co_return co_await ask(std::move(request), std::move(reply.second));
  }

  wb::Task<Answer> set(std::string key, std::string value) {
    auto reply = wb::oneshot::channel<Reply>();
    Request request(Set{std::move(key), std::move(value), std::move(reply.first)});
    co_return co_await ask(std::move(request), std::move(reply.second));
  }

 private:
  /// Sends the request (waiting for room when the store is busy), then waits for its reply.
  wb::Task<Answer> ask(Request request, wb::oneshot::Receiver<Reply> reply) {
    auto sent = co_await requests_.send(std::move(request));
    if (!sent) co_return wb::unexpected(StoreGone{});  // the store's receiver is gone
    auto answer = co_await std::move(reply);
    if (!answer) co_return wb::unexpected(StoreGone{});  // dropped the request unanswered
    co_return std::move(*answer);
  }

  wb::mpsc::Sender<Request> requests_;
};
// ANCHOR_END: store_handle
