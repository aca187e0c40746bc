// Exercise: a key-value store as an actor. One task owns the map and nobody else touches it:
// clients send requests through a bounded mpsc channel, and each request carries the sending end
// of a oneshot channel on which the store answers. No lock anywhere — the channel is the lock.
// Part 1 is the actor's loop, run_store; part 2 is the client's side, StoreHandle::get and set.
// Read book/src/ch08-runtime-in-depth.md, then replace the WB_TODOs.
// Check your work with:  scripts/workbook check ch08
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

// ANCHOR: run_store_stub
/// The actor. Owns the map; answers each request in the order it arrives; returns, with the
/// number of requests it answered, once every sender is gone and no request is left.
inline wb::Task<std::size_t> run_store(wb::mpsc::Receiver<Request> requests) {
  (void)requests;
  WB_TODO(
      "std::map<std::string, std::string> data; then while (auto request = co_await "
      "requests.recv()) { answer the Get or the Set on its reply sender } and co_return how many "
      "requests were answered");
}
// ANCHOR_END: run_store_stub

// ANCHOR: store_handle_stub
/// The client's side: a sender of requests. Copy it freely, one per task; await each call before
/// the handle it was made from is destroyed.
class StoreHandle {
 public:
  explicit StoreHandle(wb::mpsc::Sender<Request> requests) : requests_(std::move(requests)) {}

  /// The value of `key` (nullopt if it has none), or StoreGone.
  wb::Task<Answer> get(std::string key) {
    (void)key;
    WB_TODO(
        "make a oneshot channel for the reply; co_await requests_.send(Request(Get{...})); then "
        "co_await the reply's receiver. A failed send or a reply that never comes is StoreGone");
  }

  /// Sets `key` to `value`; answers the value it had before, or StoreGone.
  wb::Task<Answer> set(std::string key, std::string value) {
    (void)key;
    (void)value;
    WB_TODO("as get, with a Set request");
  }

 private:
  wb::mpsc::Sender<Request> requests_;
};
// ANCHOR_END: store_handle_stub
