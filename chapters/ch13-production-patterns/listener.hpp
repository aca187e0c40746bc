// A stand-in for a TCP listener, for the server exercise: connections arrive through a channel
// that the test controls, so that when they arrive is exact on virtual time. Its accept() has
// the shape of a real listener's: Ready with the next connection, or Closed once nobody will
// connect any more. (Given, not an exercise.)
#pragma once

#include <cstddef>
#include <utility>
#include <wb/sync/mpsc.hpp>

// ANCHOR: listener
/// One accepted connection; a real server would hold a socket here.
struct Connection {
  int id = 0;
};

class Listener {
 public:
  explicit Listener(wb::mpsc::Receiver<Connection> incoming) : incoming_(std::move(incoming)) {}

  /// A future of the next connection: Ready with it, or with wb::Closed once the listener is
  /// closed. The future points at the listener, so the listener must stay where it is meanwhile.
  auto accept() { return incoming_.recv(); }

 private:
  wb::mpsc::Receiver<Connection> incoming_;
};

/// The listener, and the side that connects to it (the test's clients): {dialer, listener}.
inline std::pair<wb::mpsc::Sender<Connection>, Listener> listen(std::size_t backlog = 16) {
  auto [dialer, incoming] = wb::mpsc::channel<Connection>(backlog);
  return {std::move(dialer), Listener(std::move(incoming))};
}
// ANCHOR_END: listener
