// wb::redis::Error — why a Redis connection could not give a reply: it could not connect, the
// connection broke (reset, end of data, a protocol error) or this side closed it. A reply that
// Redis itself sends as an error ("WRONGTYPE …") is not one of these: it is a Reply of kind error.
#pragma once

#include <string>

namespace wb::redis {

struct Error {
  enum class Kind {
    io,        // a system call failed: connect refused, reset, broken pipe (the message says which)
    eof,       // the server closed the connection
    protocol,  // the bytes from the server were not the Redis protocol
    closed,    // this side closed the connection (its Client or Subscriber was destroyed)
    usage,     // the request cannot be sent on this kind of connection
    other,
  };
  Kind kind = Kind::other;
  std::string message;
};

}  // namespace wb::redis
