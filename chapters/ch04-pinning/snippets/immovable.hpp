// Immovable: a type that can be neither copied nor moved, the way a future that holds a pointer
// into itself must not be. Every snippet of the "does it compile?" exercise uses it.
#pragma once

class Immovable {
 public:
  explicit Immovable(int value) : value_(value) {}
  Immovable(Immovable const&) = delete;
  Immovable& operator=(Immovable const&) = delete;
  Immovable(Immovable&&) = delete;
  Immovable& operator=(Immovable&&) = delete;

  int value() const { return value_; }

 private:
  int value_;
};
