// The messages of the store actor (chapter 8, exercise 3): the two requests a client can make,
// each carrying the oneshot sender on which the store answers, and what a client gets when the
// store is gone. (Given, not an exercise.)
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <wb/core/expected.hpp>
#include <wb/sync/oneshot.hpp>

// ANCHOR: store_messages
/// The answer to every request: the value the key had before it (nullopt when it had none).
using Reply = std::optional<std::string>;

/// "What is the value of key?"
struct Get {
  std::string key;
  wb::oneshot::Sender<Reply> reply;
};

/// "Set key to value": the reply is the value it replaced.
struct Set {
  std::string key;
  std::string value;
  wb::oneshot::Sender<Reply> reply;
};

using Request = std::variant<Get, Set>;

/// What a client gets instead of an answer when the store's task has ended.
struct StoreGone {};
using Answer = wb::Expected<Reply, StoreGone>;
// ANCHOR_END: store_messages
