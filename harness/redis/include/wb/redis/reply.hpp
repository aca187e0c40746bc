// wb::redis::Reply — one reply of a Redis server as a plain C++ value (nil, integer, string,
// status, error or an array of replies), copied out of hiredis's redisReply so that it outlives
// the connection and can be moved between tasks and threads.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace wb::redis {

class Reply {
 public:
  enum class Kind { nil, integer, string, status, error, array };

  Reply() = default;  // nil
  static Reply integer_reply(long long value) {
    Reply reply(Kind::integer);
    reply.integer_ = value;
    return reply;
  }
  /// A bulk string, a status ("OK") or an error ("ERR unknown command"): the kind says which.
  static Reply text_reply(Kind kind, std::string text) {
    Reply reply(kind);
    reply.text_ = std::move(text);
    return reply;
  }
  static Reply array_reply(std::vector<Reply> elements) {
    Reply reply(Kind::array);
    reply.elements_ = std::move(elements);
    return reply;
  }

  Kind kind() const noexcept { return kind_; }
  bool is_nil() const noexcept { return kind_ == Kind::nil; }
  bool is_integer() const noexcept { return kind_ == Kind::integer; }
  bool is_string() const noexcept { return kind_ == Kind::string; }
  bool is_status() const noexcept { return kind_ == Kind::status; }
  bool is_error() const noexcept { return kind_ == Kind::error; }
  bool is_array() const noexcept { return kind_ == Kind::array; }

  /// The number of an integer reply (0 for the other kinds).
  long long integer() const noexcept { return integer_; }
  /// The bytes of a string, status or error reply (empty for the other kinds); binary-safe.
  std::string const& text() const noexcept { return text_; }
  /// The elements of an array reply (empty for the other kinds).
  std::vector<Reply> const& elements() const noexcept { return elements_; }

  /// The reply in words, for messages: `"hello"`, `(integer) 3`, `(nil)`, `[a, b]`, `(error) ERR
  /// x`.
  std::string describe() const;

  friend bool operator==(Reply const&, Reply const&) = default;

 private:
  explicit Reply(Kind kind) : kind_(kind) {}

  Kind kind_ = Kind::nil;
  long long integer_ = 0;
  std::string text_;
  std::vector<Reply> elements_;
};

}  // namespace wb::redis
